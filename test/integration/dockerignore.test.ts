// The differential test of the .dockerignore matcher: for each case, a real context is built on the
// local engine with a Dockerfile OUTSIDE the context (so the Dockerfile never lands in it) that
// copies the whole context and exports it with `--output type=local`; the exported files are what
// BuildKit sent. buildlens's scanner + matcher must name exactly the same files. One context per
// case (patterns are anchored at the context root, so cases cannot share one), builds run a few at
// a time.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describeDocker } from './docker.js';
import { ContextScanner } from '../../src/io/context-scanner.js';
import { Dockerignore } from '../../src/core/dockerignore.js';

/** Files of every case's context (a few are symlinks: `name -> target`). */
const TREE = [
  'README.md', 'main.go', 'app.log', '.env', '.env.local', 'Dockerfile',
  '.git/HEAD', '.git/objects/ab/cdef',
  'node_modules/pkg/index.js', 'node_modules/pkg/README.md', 'node_modules/pkg/lib/util.js', 'node_modules/.bin/tool -> ../pkg/index.js',
  'src/index.js', 'src/util/helper.js', 'src/util/helper.test.js', 'src/app.log', 'src/.js',
  'docs/guide.md', 'docs/img/logo.png',
  'build/out.bin', 'dist/bundle.js', 'dist/bundle.js.map',
  'foo.txt', 'foobar', 'xfoo', 'x/y/z/deep.txt', 'x/y/keep.txt', 'x/skip.txt', 'xy.txt',
  'a/b/c/d.txt', 'a/b.txt', 'ab', 'axb', 'a.txt', 'b.txt', 's.txt', '1-digit.txt',
  'a+b(c)|{d}$.txt', 'weird^name.txt', 'space name.txt', '[brackets].txt', 'star*.txt', 'q?.txt',
  'back\\slash.txt', 'bang!.txt', '#hash.txt', 'unicode-é.txt', 'UPPER.TXT',
  'dir/a.txt', 'dir/sub/b.log', 'dir/sub/deep/c.go', 'dir/sub/deep/notes.md',
  'link-to-dir -> dir', 'dangling -> nowhere',
];

interface Case {
  name: string;
  /** The context's .dockerignore (omitted: none). */
  dockerignore?: string;
  /** `<Dockerfile>.dockerignore` beside the Dockerfile, which replaces .dockerignore. */
  dockerfileIgnore?: string;
}

const CASES: Case[] = [
  { name: 'no ignore file' },
  { name: 'empty ignore file', dockerignore: '' },
  { name: 'a directory by name', dockerignore: 'node_modules\n' },
  { name: '*.log only at the root', dockerignore: '*.log\n' },
  { name: '**/*.log at any depth', dockerignore: '**/*.log\n' },
  { name: 'exception inside an excluded directory', dockerignore: 'dir\n!dir/sub/b.log\n' },
  { name: 'everything but src and the Dockerfile', dockerignore: '*\n!src\n!Dockerfile\n' },
  { name: '** then a subtree exception', dockerignore: '**\n!src/**\n' },
  { name: 'leading / and ./', dockerignore: '/dist\n./build\n' },
  { name: 'a/../b is cleaned', dockerignore: 'src/../dist\n' },
  { name: 'trailing slash', dockerignore: 'dist/\n' },
  { name: '** glued before text (suffix match)', dockerignore: '**.log\n' },
  { name: '** glued inside a path', dockerignore: 'src/**.js\n' },
  { name: '** glued after text (prefix match)', dockerignore: 'x**\n' },
  { name: '** glued to a name', dockerignore: '**foo\n' },
  { name: 'a**b', dockerignore: 'a**b\n' },
  { name: '^ in a wildcard pattern never matches', dockerignore: 'weird^*\n' },
  { name: '^ in an exact pattern', dockerignore: 'weird^name.txt\n' },
  { name: 'regexp metacharacters, exact', dockerignore: 'a+b(c)|{d}$.txt\n' },
  { name: 'regexp metacharacters with a wildcard', dockerignore: 'a+b(c)*\n' },
  { name: 'a character class', dockerignore: '[brackets].txt\n' },
  { name: 'escaped brackets', dockerignore: '\\[brackets\\].txt\n' },
  { name: 'escaped star', dockerignore: 'star\\*.txt\n' },
  { name: 'escaped question mark', dockerignore: 'q\\?.txt\n' },
  { name: 'escaped backslash', dockerignore: 'back\\\\slash.txt\n' },
  { name: '[!a] is a class of ! and a', dockerignore: '[!a]*.txt\n' },
  { name: '[^a] negates', dockerignore: '[^a]*.txt\n' },
  { name: 'a range', dockerignore: '[a-c]*\n' },
  { name: 'POSIX class [[:digit:]]', dockerignore: '[[:digit:]]*\n' },
  { name: '? is one character', dockerignore: '?.txt\n' },
  { name: '? matches one multi-byte character', dockerignore: 'unicode-?.txt\n' },
  { name: 'escaped #', dockerignore: '\\#hash.txt\n' },
  { name: '# starts a comment', dockerignore: '#hash.txt\n' },
  { name: 'blanks around a line', dockerignore: '   node_modules   \n\t.git\t\n' },
  { name: 'literal exception under an excluded dir', dockerignore: 'node_modules\n!node_modules/pkg/README.md\n' },
  { name: 'wildcard exception under an excluded dir', dockerignore: 'node_modules\n!node_modules/**/*.md\n' },
  { name: 'exception then a later exclude', dockerignore: 'x\n!x/y\nx/y/z\n' },
  { name: 'an exception before its exclude is lost', dockerignore: 'x/y\n!x\n' },
  { name: 'a repeated pattern after an exception (parent results)', dockerignore: 'a\n!a/b\na\n' },
  { name: 'excluding the ignore file and the Dockerfile', dockerignore: '.dockerignore\nDockerfile\n' },
  { name: 'one level down', dockerignore: '*/*.txt\n' },
  { name: '**/name', dockerignore: '**/sub\n' },
  { name: '** alone', dockerignore: '**\n' },
  { name: 'wildcard exception after **', dockerignore: '**\n!**/*.md\n' },
  { name: './**/*.js is cleaned', dockerignore: './**/*.js\n' },
  { name: '/ alone, . and .. exclude nothing', dockerignore: '/\n.\n..\n' },
  { name: '.. inside a pattern', dockerignore: 'x/y/../skip.txt\n' },
  { name: 'a symlink to a directory is not followed', dockerignore: 'link-to-dir/*\ndir\n' },
  { name: 'a symlink by name', dockerignore: 'link-to-dir\ndangling\n' },
  { name: 'CRLF line endings', dockerignore: 'dist\r\nbuild\r\n' },
  { name: 'a UTF-8 BOM', dockerignore: '\uFEFFdist\n' },
  { name: 'case-sensitive', dockerignore: '*.TXT\n' },
  { name: 'an excluded dir with a deeper exception', dockerignore: 'dir/sub/\n!dir/sub/deep\n' },
  { name: 'exception with a trailing /* keeps the dir walked', dockerignore: 'x\n!x/y/*\n' },
  { name: 'env files with an exception', dockerignore: '.env*\n!.env.local\n' },
  { name: '<Dockerfile>.dockerignore replaces .dockerignore', dockerignore: 'src\n', dockerfileIgnore: 'docs\n' },
];

const DOCKERFILE = 'FROM localbase/busybox AS ctx\nCOPY . /ctx/\nFROM scratch\nCOPY --from=ctx /ctx/ /\n';

function makeTree(root: string): void {
  for (const entry of TREE) {
    const [path, target] = entry.split(' -> ') as [string, string | undefined];
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (target !== undefined) symlinkSync(target, join(root, path));
    else writeFileSync(join(root, path), `${path}\n`);
  }
}

/** Files and symlinks under `root`, relative, sorted (an independent walk, not the scanner). */
function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel))) {
    const p = rel ? `${rel}/${name}` : name;
    if (lstatSync(join(root, p)).isDirectory()) out.push(...listFiles(root, p));
    else out.push(p);
  }
  return rel ? out : out.sort();
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  }));
  return results;
}

interface Outcome {
  name: string;
  engine: string[];
  buildlens: string[];
  error?: string;
}

describeDocker('.dockerignore: buildlens against the real engine', () => {
  let base: string;
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'buildlens-dockerignore-'));
    outcomes = await mapLimit(CASES, 4, async (c, i) => {
      const dir = join(base, String(i).padStart(2, '0'));
      const ctx = join(dir, 'ctx');
      const out = join(dir, 'out');
      makeTree(ctx);
      if (c.dockerignore !== undefined) writeFileSync(join(ctx, '.dockerignore'), c.dockerignore);
      const dockerfile = join(dir, 'list.Dockerfile');
      writeFileSync(dockerfile, DOCKERFILE);
      if (c.dockerfileIgnore !== undefined) writeFileSync(`${dockerfile}.dockerignore`, c.dockerfileIgnore);

      const ignoreText = c.dockerfileIgnore ?? c.dockerignore;
      const ignore = ignoreText === undefined ? null : Dockerignore.parse(ignoreText);
      const buildlens = new ContextScanner(ctx).scan({ ignore }).files.map((f) => f.path).sort();

      const r = await execa('docker', ['buildx', 'build', '--network=none', '--progress=plain', '-f', dockerfile, '--output', `type=local,dest=${out}`, ctx], { all: true, reject: false });
      if (r.exitCode !== 0) return { name: c.name, engine: [], buildlens, error: (r.all ?? '').split('\n').slice(-8).join('\n') };
      return { name: c.name, engine: listFiles(out), buildlens };
    });
  }, 240_000);

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it(`has at least 40 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const o = outcomes[i]!;
    expect(o.error).toBeUndefined();
    expect(o.buildlens).toEqual(o.engine);
  });

  // The quirks the matcher reproduces, seen in the engine's own output (so that a test that compares
  // two wrong answers cannot pass).
  it.each([
    ['a repeated pattern after an exception (parent results)', 'a/b/c/d.txt', true],
    ['** glued before text (suffix match)', 'src/app.log', false],
    ['** glued inside a path', 'src/index.js', true],
    ['^ in a wildcard pattern never matches', 'weird^name.txt', true],
    ['[!a] is a class of ! and a', 'a.txt', false],
    ['[!a] is a class of ! and a', 'b.txt', true],
    ['POSIX class [[:digit:]]', '1-digit.txt', false],
    ['an exception before its exclude is lost', 'x/y/keep.txt', false],
    ['excluding the ignore file and the Dockerfile', '.dockerignore', false],
    ['a symlink to a directory is not followed', 'link-to-dir', true],
    ['<Dockerfile>.dockerignore replaces .dockerignore', 'src/index.js', true],
  ] as const)('engine quirk: %s keeps %s: %s', (name, path, kept) => {
    const o = outcomes[CASES.findIndex((c) => c.name === name)]!;
    expect(o.engine.includes(path)).toBe(kept);
  });

  it('the cases are not trivial: the engine kept different file sets', () => {
    const distinct = new Set(outcomes.map((o) => o.engine.join('\n')));
    expect(distinct.size).toBeGreaterThan(30);
  });
});
