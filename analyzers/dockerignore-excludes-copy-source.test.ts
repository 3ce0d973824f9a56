import { dockerignoreExcludesCopySource } from './dockerignore-excludes-copy-source.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const f = (path: string, size = 10) => ({ path, size });
const ignore = (content: string) => ({ path: '.dockerignore', size: content.length, content });

testAnalyzer(dockerignoreExcludesCopySource, {
  valid: [
    { name: 'sources not excluded', dockerfile: 'FROM x\nCOPY src ./src\nCOPY package*.json ./\n', context: [ignore('node_modules\n'), f('src/a.js'), f('package.json')] },
    { name: 'an excluded directory with its source re-included', dockerfile: 'FROM x\nCOPY config/app.yml /etc/\n', context: [ignore('config\n!config/app.yml\n'), f('config/app.yml')] },
    { name: 'COPY . . is not a named source', dockerfile: 'FROM x\nCOPY . .\n', context: [ignore('dist\n'), f('dist/a.js')] },
    { name: 'a stage the target does not reach', dockerfile: 'FROM x AS unused\nCOPY dist /d\nFROM y\nCOPY src /s\n', context: [ignore('dist\n'), f('dist/a.js'), f('src/a')] },
  ],
  invalid: [
    {
      name: 'a file source excluded: the build fails',
      dockerfile: 'FROM x\nCOPY config/app.yml /etc/app.yml\n',
      context: [ignore('config\n'), f('config/app.yml')],
      findings: [{
        rule: 'dockerignore-excludes-copy-source', severity: 'error', file: 'Dockerfile', line: 2, messageId: 'excluded',
        message: '`config/app.yml` in `COPY config/app.yml /etc/app.yml` is excluded by .dockerignore: BuildKit never sends it, so the build fails with "not found".',
        suggestion: 'Remove the line of .dockerignore that excludes it, or add an exception (`!config/app.yml`) after it.',
      }],
    },
    {
      name: 'a directory excluded but for an exception: copies less',
      dockerfile: 'FROM x\nCOPY ./dist /srv\n',
      context: [ignore('dist\n!dist/index.html\n'), f('dist/index.html'), f('dist/app.js')],
      findings: [{ messageId: 'partly', line: 2, message: expect.stringContaining('except for 1 file') as unknown as string }],
    },
    {
      name: 'a wildcard source whose matches are all excluded',
      dockerfile: 'FROM x\nCOPY *.whl /wheels/\n',
      context: [ignore('*.whl\n'), f('a-1.0.whl'), f('b-2.0.whl')],
      findings: [{ messageId: 'allMatchesExcluded', line: 2 }],
    },
  ],
});
