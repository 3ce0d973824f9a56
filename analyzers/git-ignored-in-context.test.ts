import { gitIgnoredInContext } from './git-ignored-in-context.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const f = (path: string, size = 10, content?: string) => (content === undefined ? { path, size } : { path, size, content });

testAnalyzer(gitIgnoredInContext, {
  valid: [
    { name: 'no .gitignore', context: [f('out/a.js')] },
    { name: 'git-ignored files kept out by the .dockerignore', context: [f('.gitignore', 5, 'out/\n'), { path: '.dockerignore', size: 4, content: 'out\n' }, f('out/a.js')] },
    { name: 'junk is context-junk\'s business', context: [f('.gitignore', 13, 'node_modules\n'), f('node_modules/a.js')] },
  ],
  invalid: [
    {
      name: 'a git-ignored directory and file',
      context: [f('.gitignore', 20, 'out/\n*.tmp\n'), f('out/a.js', 100), f('out/b/c.js', 50), f('x.tmp', 3), f('src/a.js')],
      findings: [
        { rule: 'git-ignored-in-context', severity: 'info', file: '.dockerignore', line: null, messageId: 'ignored', message: expect.stringContaining('out (2 files, 150B) is ignored by git') as unknown as string, suggestion: 'Add `out` to .dockerignore (saves 2 files, 150B).' },
        { messageId: 'ignored', message: expect.stringContaining('x.tmp (1 file, 3B)') as unknown as string },
      ],
    },
    {
      name: 'a nested .gitignore applies below its directory',
      context: [f('web/.gitignore', 6, 'cache\n'), f('web/cache/x', 7), f('cache/y', 1)],
      findings: [{ messageId: 'ignored', message: expect.stringContaining('web/cache (1 file, 7B)') as unknown as string }],
    },
  ],
});
