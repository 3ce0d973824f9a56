import { contextUnusedFiles } from './context-unused-files.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const f = (path: string, size = 10) => ({ path, size });

testAnalyzer(contextUnusedFiles, {
  valid: [
    { name: 'no whole-context COPY', dockerfile: 'FROM x\nCOPY src /src\n', context: [f('Dockerfile'), f('src/a')] },
    { name: 'the Dockerfile and CI config are ignored', dockerfile: 'FROM x\nCOPY . .\n', context: [{ path: '.dockerignore', size: 30, content: 'Dockerfile*\n.github\n.dockerignore\n' }, f('Dockerfile'), f('.github/workflows/ci.yml'), f('src/a')] },
  ],
  invalid: [
    {
      name: 'COPY . . sends the Dockerfile and CI config',
      dockerfile: 'FROM x\nWORKDIR /app\nCOPY . .\n',
      context: [f('Dockerfile', 30), f('.github/workflows/ci.yml', 200), f('docker-compose.yml', 50), f('src/a.js')],
      findings: [{
        rule: 'context-unused-files', severity: 'info', file: 'Dockerfile', line: 3, messageId: 'unused',
        message: '`COPY . .` copies 3 files (280B) that no build step needs (Dockerfile, .github/workflows/ci.yml, docker-compose.yml): editing any of them re-runs this COPY and every step after it.',
        suggestion: 'Add to .dockerignore: `Dockerfile*`, `.github`, `docker-compose*.y*ml`.',
      }],
    },
  ],
});
