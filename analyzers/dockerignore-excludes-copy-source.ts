// A COPY or ADD source that the .dockerignore excludes: BuildKit never sends it, so the build fails
// with "not found" (or, for a directory with exceptions inside, silently copies only part of it).
// BuildKit's own `CopyIgnoredFile` check says the same without sizes. See
// docs/rules/dockerignore-excludes-copy-source.md.
import type { Analyzer, AnalyzerContext, ContextFile, Report } from './types.js';
import { contextFacts } from '../src/core/context.js';
import { PatternList } from '../src/core/dockerignore.js';

export const dockerignoreExcludesCopySource: Analyzer = {
  id: 'dockerignore-excludes-copy-source',
  description: 'A COPY/ADD source that the .dockerignore excludes: the build fails, or copies less than it says.',
  defaultSeverity: 'error',
  messages: {
    excluded: '`{{source}}` in `{{instruction}}` is excluded by {{ignoreFile}}: BuildKit never sends it, so the build fails with "not found".',
    partly: '`{{source}}` in `{{instruction}}` is excluded by {{ignoreFile}} except for {{fileCount}} that `!` exceptions keep: the COPY silently copies only those.',
    allMatchesExcluded: '`{{source}}` in `{{instruction}}` matches only files that {{ignoreFile}} excludes ({{excludedFiles}}): the build fails with "not found".',
    fix: 'Remove the line of {{ignoreFile}} that excludes it, or add an exception (`!{{path}}`) after it.',
  },
  needs: ['dockerfile', 'context'],
  analyze(ctx: AnalyzerContext): Report[] {
    const facts = contextFacts(ctx);
    if (!facts?.ignore || !facts.use || !ctx.dockerfile) return [];
    const ignore = facts.ignore;
    const ignoreFile = ctx.context?.dockerignore?.path ?? '.dockerignore';
    const visible = facts.visible;
    let known: ContextFile[] | undefined;
    const knownFiles = () => (known ??= ctx.context?.filtered ? [...visible, ...(ctx.context.excluded ?? [])] : [...(ctx.context?.files ?? [])]);
    const reports: Report[] = [];
    for (const s of facts.use.sources) {
      if (s.path === '.' || s.source.includes('$')) continue;
      const ins = ctx.dockerfile.parsed.instructions.find((i) => i.line === s.line);
      const data = { source: s.source, path: s.path, instruction: ins?.text ?? `${s.keyword} ${s.source}`, ignoreFile };
      if (/[*?[\\]/.test(s.path)) {
        const list = new PatternList([{ pattern: s.path, exception: false, line: s.line, source: s.source }], 'include');
        const matches = (p: string) => list.match(p, null).matched;
        if (visible.some((f) => matches(f.path))) continue;
        const excluded = knownFiles().filter((f) => matches(f.path) && !ignore.includes(f.path));
        if (excluded.length > 0) reports.push({ messageId: 'allMatchesExcluded', data: { ...data, excludedFiles: excluded.slice(0, 3).map((f) => f.path).join(', ') + (excluded.length > 3 ? ', …' : '') }, line: s.line, suggestion: 'fix' });
        continue;
      }
      if (ignore.status(s.path, true) === 'included') continue;
      const inside = visible.filter((f) => f.path.startsWith(s.path + '/'));
      if (inside.length > 0) reports.push({ messageId: 'partly', data: { ...data, files: inside.length, fileCount: inside.length === 1 ? '1 file' : `${inside.length} files` }, line: s.line, suggestion: 'fix' });
      else reports.push({ messageId: 'excluded', data, line: s.line, suggestion: 'fix' });
    }
    return reports;
  },
};
