import { contextJunk } from './context-junk.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const f = (path: string, size = 10) => ({ path, size });

testAnalyzer(contextJunk, {
  valid: [
    { name: 'a clean context', context: [f('package.json'), f('src/index.js')] },
    { name: 'junk kept out by the .dockerignore', context: [{ path: '.dockerignore', size: 20, content: 'node_modules\n.git\n' }, f('node_modules/a.js'), f('.git/HEAD'), f('src/index.js')] },
    { name: 'a large text file is not a binary', context: [f('data/big.csv', 50_000_000)] },
  ],
  invalid: [
    {
      name: 'node_modules and .git in the context, with the lines that keep them out',
      context: [f('node_modules/a/index.js', 5000), f('node_modules/b.js', 1000), f('.git/HEAD', 40), f('src/index.js')],
      findings: [
        { rule: 'context-junk', messageId: 'junk', file: '.dockerignore', line: null, severity: 'warning', message: expect.stringContaining('node_modules (installed dependencies: 2 files, 6.00kB)') as unknown as string, suggestion: 'Add `node_modules` to .dockerignore (saves 2 files, 6.00kB).' },
        { messageId: 'junk', message: expect.stringContaining('.git (version control data') as unknown as string, suggestion: 'Add `.git` to .dockerignore (saves 1 file, 40B).' },
      ],
    },
    {
      name: 'nested node_modules get a **/ line; a user exception is never overridden',
      context: [{ path: '.dockerignore', size: 30, content: '*.log\n!keep.log\n' }, f('packages/a/node_modules/x.js', 300), f('keep.log', 5), f('app.log', 7), f('sub/b.log', 9)],
      findings: [
        { messageId: 'junk', message: expect.stringContaining('**/node_modules') as unknown as string, suggestion: 'Add `**/node_modules` to .dockerignore (saves 1 file, 300B).' },
        { messageId: 'junk', message: expect.stringContaining('**/*.log (log files: 2 files') as unknown as string, suggestion: expect.stringContaining('A COPY or ADD') as unknown as string },
      ],
    },
    {
      name: 'a large binary',
      context: [f('models/weights.bin', 25_000_000)],
      findings: [{ messageId: 'junk', message: expect.stringContaining('models/weights.bin (large binary files (> 10 MB): 1 file, 25.00MB)') as unknown as string }],
    },
  ],
});
