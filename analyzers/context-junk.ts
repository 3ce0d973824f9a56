// Junk in the build context: version control data, installed dependencies, build output, logs,
// editor and OS files, large binaries. The legacy builder uploads all of it on every build, and
// `COPY . .` copies it (so any change in it, a commit in `.git` for one, re-runs that COPY and every
// step after it). See docs/rules/context-junk.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { JUNK_LABEL, contextFacts } from '../src/core/context.js';
import { formatSize } from '../src/core/units.js';

export const contextJunk: Analyzer = {
  id: 'context-junk',
  description: 'Version control data, dependencies, build output, logs, editor files or large binaries in the build context.',
  defaultSeverity: 'warning',
  messages: {
    junk: '{{path}} ({{what}}: {{fileCount}}, {{size}}) is in the build context: it is uploaded by the legacy builder and copied by `COPY . .`, where any change in it re-runs that COPY and every step after it.',
    addLine: 'Add `{{line}}` to {{ignoreFile}} (saves {{savedFileCount}}, {{savedSize}}).',
    neededByCopy: 'A COPY or ADD in the Dockerfile names it, so buildlens does not propose excluding it; copy only what the build needs instead.',
  },
  needs: ['context'],
  analyze(ctx: AnalyzerContext): Report[] {
    const facts = contextFacts(ctx);
    if (!facts) return [];
    const ignoreFile = ctx.context?.dockerignore?.path ?? '.dockerignore';
    return facts.junk.map((j) => {
      const line = facts.proposal.lines.find((l) => l.line === j.pattern);
      const skipped = facts.proposal.skipped.find((s) => s.line === j.pattern);
      const path = j.category === 'large-binary' || !j.pattern.startsWith('**/') ? j.path : j.pattern;
      const report: Report = {
        messageId: 'junk',
        data: { path, what: JUNK_LABEL[j.category], files: j.files, fileCount: fileCount(j.files), size: formatSize(j.bytes), line: j.pattern, ignoreFile, savedFiles: line?.files ?? j.files, savedFileCount: fileCount(line?.files ?? j.files), savedSize: formatSize(line?.bytes ?? j.bytes) },
        file: 'dockerignore',
        line: null,
      };
      if (line) report.suggestion = 'addLine';
      else if (skipped) report.suggestion = 'neededByCopy';
      return report;
    });
  },
};

function fileCount(n: number): string {
  return n === 1 ? '1 file' : `${n} files`;
}
