// Files git ignores that docker would send: usually build output, caches and local files that belong
// in the .dockerignore too. `.gitignore` files are read with gitignore rules (the `ignore` package),
// each below its own directory. Junk that context-junk already reports is left out.
// See docs/rules/git-ignored-in-context.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { contextFacts } from '../src/core/context.js';
import { formatSize } from '../src/core/units.js';

export const gitIgnoredInContext: Analyzer = {
  id: 'git-ignored-in-context',
  description: 'Files that git ignores but docker sends in the build context.',
  defaultSeverity: 'info',
  messages: {
    ignored: '{{path}} ({{fileCount}}, {{size}}) is ignored by git but sent by docker: git-ignored files are usually build output or local files the image should not depend on.',
    addLine: 'Add `{{path}}` to {{ignoreFile}} (saves {{savedFileCount}}, {{savedSize}}).',
  },
  needs: ['context'],
  analyze(ctx: AnalyzerContext): Report[] {
    const facts = contextFacts(ctx);
    if (!facts) return [];
    const ignoreFile = ctx.context?.dockerignore?.path ?? '.dockerignore';
    const secrets = new Set(facts.secrets.map((s) => s.path));
    return facts.gitIgnored
      .filter((g) => !secrets.has(g.path))
      .map((g) => {
        const line = facts.proposal.lines.find((l) => l.line === g.path);
        const report: Report = {
          messageId: 'ignored',
          data: { path: g.path, files: g.files, fileCount: fileCount(g.files), size: formatSize(g.bytes), ignoreFile, savedFiles: line?.files ?? 0, savedFileCount: fileCount(line?.files ?? 0), savedSize: formatSize(line?.bytes ?? 0) },
          file: 'dockerignore',
          line: null,
        };
        if (line) report.suggestion = 'addLine';
        return report;
      });
  },
};

function fileCount(n: number): string {
  return n === 1 ? '1 file' : `${n} files`;
}
