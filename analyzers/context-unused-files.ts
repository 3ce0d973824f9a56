// Files a whole-context COPY sends that no build step needs: Dockerfiles, compose files, CI
// configuration, git metadata files. Editing any of them changes what `COPY . .` copies, so the
// COPY and every step after it re-run for a change that cannot affect the image.
// See docs/rules/context-unused-files.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { contextFacts, irrelevantLines, totals } from '../src/core/context.js';
import { formatSize } from '../src/core/units.js';

export const contextUnusedFiles: Analyzer = {
  id: 'context-unused-files',
  description: 'Files that `COPY . .` sends but no build step needs (Dockerfiles, compose files, CI configuration).',
  defaultSeverity: 'info',
  messages: {
    unused: '`{{instruction}}` copies {{fileCount}} ({{size}}) that no build step needs ({{examples}}): editing any of them re-runs this COPY and every step after it.',
    addLines: 'Add to {{ignoreFile}}: {{lines}}.',
  },
  needs: ['dockerfile', 'context'],
  analyze(ctx: AnalyzerContext): Report[] {
    const facts = contextFacts(ctx);
    if (!facts?.use || !ctx.dockerfile || facts.irrelevant.length === 0) return [];
    const whole = facts.use.sources.find((s) => s.path === '.' && s.keyword !== 'RUN') ?? facts.use.sources.find((s) => s.path === '.');
    if (!whole) return [];
    const ins = ctx.dockerfile.parsed.instructions.find((i) => i.line === whole.line);
    const t = totals(facts.irrelevant);
    const lines = irrelevantLines(facts.irrelevant).filter((l) => facts.proposal.lines.some((p) => p.line === l));
    const examples = facts.irrelevant.slice(0, 3).map((f) => f.path).join(', ') + (facts.irrelevant.length > 3 ? ', …' : '');
    const report: Report = {
      messageId: 'unused',
      data: { instruction: ins?.text ?? 'COPY . .', files: t.files, fileCount: t.files === 1 ? '1 file' : `${t.files} files`, size: formatSize(t.bytes), examples, ignoreFile: ctx.context?.dockerignore?.path ?? '.dockerignore', lines: lines.map((l) => `\`${l}\``).join(', ') },
      line: whole.line,
    };
    if (lines.length > 0) report.suggestion = 'addLines';
    return [report];
  },
};
