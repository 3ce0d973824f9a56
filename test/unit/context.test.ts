// The pure context model: what BuildKit transfers, totals and top lists, junk, secrets, git-ignored
// files, and the .dockerignore lines proposed (never overriding a user's exception).
import type { ContextFile } from '../../analyzers/types.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { Dockerignore } from '../../src/core/dockerignore.js';
import {
  appendDiff, appendIgnoreLines, breakdown, buildIrrelevantFiles, contextPath, contextUse, directoryRuns, directorySizes, findJunk,
  findSecrets, gitIgnoredFiles, proposeIgnoreLines, totals, transferFiles, visibleFiles,
} from '../../src/core/context.js';

const f = (path: string, size = 10, content?: string): ContextFile => (content === undefined ? { path, size } : { path, size, content });

const FILES = [
  f('package.json', 100), f('package-lock.json', 200), f('src/index.js', 300), f('src/util/x.js', 50),
  f('node_modules/a/index.js', 5000), f('node_modules/a/b/c.js', 4000), f('.git/HEAD', 40), f('dist/app.js', 700),
  f('app.log', 3), f('.env', 12), f('README.md', 30),
];

describe('contextUse and transferFiles', () => {
  it('follows the stages the target reaches', () => {
    const df = parseDockerfile('FROM node AS deps\nCOPY package.json package-lock.json ./\nFROM node AS test\nCOPY test ./test\nFROM deps AS build\nCOPY src ./src\nRUN --mount=type=bind,source=README.md,target=/r cat /r\nFROM busybox\nCOPY --from=build /app /app\n');
    const use = contextUse(df)!;
    expect(use.reachedStages).toEqual([0, 2, 3]);
    expect(use.sources.map((s) => s.path)).toEqual(['package.json', 'package-lock.json', 'src', 'README.md']);
    expect(use.all).toBe(false);
    expect(transferFiles(FILES, use).map((x) => x.path)).toEqual(['package.json', 'package-lock.json', 'src/index.js', 'src/util/x.js', 'README.md']);
    expect(contextUse(df, 'test')!.sources.map((s) => s.path)).toEqual(['test']);
    expect(contextUse(df, 'nope')).toBeNull();
  });

  it('sends everything for `.`, a bind mount without source, or a variable', () => {
    expect(contextUse(parseDockerfile('FROM x\nCOPY . .\n'))!.all).toBe(true);
    expect(contextUse(parseDockerfile('FROM x\nRUN --mount=type=bind,target=/src make\n'))!.all).toBe(true);
    expect(contextUse(parseDockerfile('FROM x\nARG D=src\nCOPY $D /d\n'))!.all).toBe(true);
    expect(contextUse(parseDockerfile('FROM x\nCOPY ["./a b", "/x"]\nADD https://e.com/f /f\nCOPY <<EOF /y\nhi\nEOF\n'))!.sources.map((s) => s.path)).toEqual(['a b']);
  });

  it('matches wildcard sources as include patterns', () => {
    const use = contextUse(parseDockerfile('FROM x\nCOPY package*.json ./\n'))!;
    expect(transferFiles(FILES, use).map((x) => x.path)).toEqual(['package.json', 'package-lock.json']);
    expect(contextPath('./src/../lib/')).toBe('lib');
    expect(contextPath('/')).toBe('.');
  });
});

describe('totals, breakdown, junk and secrets', () => {
  it('adds up and ranks', () => {
    expect(totals(FILES)).toEqual({ files: 11, bytes: 10435 });
    const b = breakdown(FILES, 3);
    expect(b.largestDirectories[0]).toEqual({ path: 'node_modules', files: 2, bytes: 9000 });
    expect(b.largestFiles.map((x) => x.path)).toEqual(['node_modules/a/index.js', 'node_modules/a/b/c.js', 'dist/app.js']);
    expect(b.topLevel[0]).toEqual({ path: 'node_modules/', files: 2, bytes: 9000 });
  });

  it('finds junk and groups it by the line that keeps it out', () => {
    const junk = findJunk([...FILES, f('packages/p/node_modules/z.js', 1), f('big.bin', 20_000_000), f('big.csv', 20_000_000)]);
    expect(junk.map((j) => [j.pattern, j.category, j.files])).toEqual([
      ['big.bin', 'large-binary', 1], ['**/node_modules', 'dependencies', 3], ['dist', 'build-output', 1], ['.git', 'vcs', 1], ['**/*.log', 'logs', 1],
    ]);
  });

  it('finds secrets by name and by content', () => {
    const s = findSecrets([f('.env'), f('.env.example'), f('certs/server.pem'), f('id_rsa'), f('id_rsa.pub'), f('.npmrc', 10, '//r/:_authToken=x'), f('sub/.npmrc', 10, 'registry=x'), f('.aws/credentials')]);
    expect(s.map((x) => x.path)).toEqual(['.env', 'certs/server.pem', 'id_rsa', '.npmrc', '.aws/credentials']);
  });

  it('cuts a file list where the directory changes, once per list; a directory met twice counts once', () => {
    const files = [f('a.txt', 1), f('src/x.js', 2), f('src/y.js', 3), f('src/sub/z.js', 4), f('src/w.js', 5), f('b.txt', 6)];
    expect(directoryRuns(files).map((r) => [r.dir, r.start, r.end])).toEqual([['', 0, 1], ['src', 1, 3], ['src/sub', 3, 4], ['src', 4, 5], ['', 5, 6]]);
    expect(directoryRuns(files)).toBe(directoryRuns(files));
    expect(directorySizes(files).get('src')).toEqual({ files: 4, bytes: 14 });
    expect(breakdown(files).topLevel.map((t) => t.path)).toEqual(['src/', 'b.txt', 'a.txt']);
    // a list that grew is cut again
    files.push(f('src/v.js', 7));
    expect(directoryRuns(files).at(-1)).toEqual({ dir: 'src', start: 6, end: 7 });
    expect(directorySizes(files).get('src')).toEqual({ files: 5, bytes: 21 });
  });

  it('counts a junk directory met in several runs in one group, and looks at names only elsewhere', () => {
    const junk = findJunk([f('node_modules/a.js', 1), f('x.log', 2), f('node_modules/b/c.js', 3), f('node_modules/d.js', 4), f('composer.json'), f('vendor/p/q.php', 5)]);
    expect(junk.map((j) => [j.pattern, j.files, j.bytes])).toEqual([['node_modules', 3, 8], ['vendor', 1, 5], ['**/*.log', 1, 2]]);
    expect(buildIrrelevantFiles([f('Dockerfile'), f('src/Dockerfile'), f('.github/workflows/ci.yml'), f('.gitlab-ci.yml')]).map((x) => x.path)).toEqual(['Dockerfile', '.github/workflows/ci.yml', '.gitlab-ci.yml']);
  });

  it('finds every kind of secret name (the cheap test before the pattern lets them all through)', () => {
    const names = ['.env', '.env.local', 'k/server.key', 'a.p12', 'b.pfx', 'c.keystore', 'd.jks', 'e.pem', 'id_ed25519', 'id_ecdsa_x', 'home/.aws/credentials', '.git-credentials',
      '.netrc', 'u/.docker/config.json', '.kube/config', 'application_default_credentials.json', 'service_account-prod.json', 'gcp-credentials.json', 'terraform.tfstate', 'terraform.tfstate.backup'];
    expect(findSecrets(names.map((n) => f(n))).map((x) => x.path)).toEqual(names);
    expect(findSecrets(['.env.example', 'id_rsa.pub', 'config.yaml', 'credentials.txt', 'tf.tfstate'].map((n) => f(n)))).toEqual([]);
  });

  it('reads .gitignore files with gitignore rules, each below its directory', () => {
    const files = [f('out/a.js'), f('src/gen/x.js'), f('src/keep.js'), f('tmp.txt')];
    const gi = [f('.gitignore', 1, 'out/\n*.txt\n'), f('src/.gitignore', 1, 'gen\n')];
    expect(gitIgnoredFiles(files, gi).map((x) => x.path)).toEqual(['out/a.js', 'src/gen/x.js', 'tmp.txt']);
  });
});

describe('the proposed .dockerignore lines', () => {
  it('lists what each line saves, in order, and skips lines a COPY needs', () => {
    const use = contextUse(parseDockerfile('FROM x\nCOPY dist /dist\nCOPY . .\n'))!;
    const p = proposeIgnoreLines({ visible: FILES, current: [], use, candidates: [{ line: 'node_modules', reason: 'deps' }, { line: '**/node_modules', reason: 'deps' }, { line: 'dist', reason: 'out' }, { line: '*.log', reason: 'logs' }] });
    expect(p.lines.map((l) => [l.line, l.files, l.bytes])).toEqual([['node_modules', 2, 9000], ['*.log', 1, 3]]);
    expect(p.skipped).toEqual([{ line: 'dist', why: expect.stringContaining('dist/app.js') as unknown as string }]);
    expect(p.saves).toEqual({ files: 3, bytes: 9003 });
  });

  it('never overrides a user exception', () => {
    const current = Dockerignore.parse('node_modules\n!node_modules/a/index.js\n').patterns;
    const visible = visibleFiles(FILES, new Dockerignore(current));
    const p = proposeIgnoreLines({ visible, current, use: null, candidates: [{ line: '**/*.js', reason: 'x' }, { line: '.git', reason: 'vcs' }] });
    expect(p.lines.map((l) => l.line)).toEqual(['.git']);
    expect(p.skipped[0]?.line).toBe('**/*.js');
  });

  it('appends after the user lines and makes a patch that keeps them', () => {
    const add = [{ line: '.git', reason: 'vcs', files: 1, bytes: 40 }];
    const text = appendIgnoreLines('a\n!a/b', add, (l) => `${l.reason}: ${l.files}`);
    expect(text).toBe('a\n!a/b\n\n# Added by buildlens context --fix\n# vcs: 1\n.git\n');
    expect(appendDiff('.dockerignore', 'a\n!a/b', text)).toBe(
      '--- a/.dockerignore\n+++ b/.dockerignore\n@@ -1,2 +1,6 @@\n a\n-!a/b\n\\ No newline at end of file\n+!a/b\n+\n+# Added by buildlens context --fix\n+# vcs: 1\n+.git\n',
    );
    expect(appendDiff('.dockerignore', null, '.git\n')).toBe('--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1,1 @@\n+.git\n');
  });
});
