// The context listed by GNU find (context-find.ts) gives what the node walker gives, entry for entry
// and in the same order, on trees with the things that go wrong: odd names (new lines, blanks,
// bytes that are not UTF-8), symlinks, sockets and pipes, unreadable directories and files,
// exceptions under excluded directories; and the walker is used when find is missing or not GNU.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Dockerignore } from '../../src/core/dockerignore.js';
import { FindRecords, Listed, findArguments, listingPlan, startFindListing } from '../../src/io/context-find.js';
import { ContextScanner, type ScanOptions } from '../../src/io/context-scanner.js';
import { runCliIn } from '../run-cli.js';

const linux = process.platform === 'linux';
const gnuFind = linux && (() => {
  try {
    return execFileSync('find', ['--version'], { encoding: 'utf8' }).includes('GNU findutils');
  } catch {
    return false;
  }
})();
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let root: string;
let server: Server | null = null;

function file(path: string, size = 10): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), 'x'.repeat(size));
}

/** A name that is not UTF-8 (a Latin-1 é), as a path Buffer. */
function rawPath(...parts: Array<string | Buffer>): Buffer {
  return Buffer.concat([Buffer.from(root + '/'), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))]);
}

async function socket(path: string): Promise<void> {
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(join(root, path), resolve));
}

/** The tricky tree. */
async function trickyTree(): Promise<void> {
  file('src/a.js', 100);
  file('src/lib/b.js', 50);
  file('src/lib/deep/c.ts', 7);
  file('node_modules/x/index.js', 1000);
  file('node_modules/x/README.md', 7);
  file('node_modules/y/docs/guide.md', 70);
  file('packages/p/node_modules/z/i.js', 30);
  file('packages/p/src/main.js', 31);
  file('.git/HEAD', 20);
  // enough directories two levels down for the listing to be shared between finds
  for (const p of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
    file(`pkgs/${p}/index.js`, p.charCodeAt(0));
    file(`pkgs/${p}/lib/${p}.js`, 3);
  }
  file('pkgs/d/lib/deep/er/x.log', 11);
  file('app.log', 5);
  file('logs/today.log', 6);
  file('bad\nname.txt', 1);
  file(' lead', 2);
  file('trail ', 3);
  file('dir with spaces/f [1]*?.txt', 4);
  file('.npmrc', 1);
  writeFileSync(join(root, '.npmrc'), '//r/:_authToken=x\n');
  file('sub/.gitignore', 1);
  writeFileSync(join(root, 'sub/.gitignore'), 'dist\n');
  file('\u00e9t\u00e9/\u{1F600}.txt', 9);
  file('\uFFFDreal', 3);
  symlinkSync('src', join(root, 'link'));
  symlinkSync('nowhere', join(root, 'dangling'));
  symlinkSync('../a.js', join(root, 'src/lib/up'));
  execFileSync('mkfifo', [join(root, 'pipe')]);
  // names that are not UTF-8: a file, a directory with files, an excluded one
  writeFileSync(rawPath(Buffer.from([0x63, 0x61, 0x66, 0xe9])), 'x');
  mkdirSync(rawPath(Buffer.from([0x64, 0xff])));
  writeFileSync(rawPath(Buffer.from([0x64, 0xff]), '/inner.js'), 'xx');
  writeFileSync(rawPath('src/', Buffer.from([0xc3, 0x28, 0x2e, 0x6c, 0x6f, 0x67])), 'xxx');
  await socket('sock');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'buildlens-find-'));
});

afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = null;
  execFileSync('chmod', ['-R', 'u+rwX', root]);
  rmSync(root, { recursive: true, force: true });
});

/** What the node walker gives, and what the find listing gives (null when find failed). */
/**
 * What the node walker gives, and what the find listing gives (null when find failed); `early`: each
 * directory gone through as soon as it is listed (as the command does), not at the end.
 */
async function both(options: ScanOptions, processes?: number, early = false): Promise<{ walked: ReturnType<ContextScanner['scan']>; listed: ReturnType<ContextScanner['scan']> | null }> {
  const walked = new ContextScanner(root).scan(options);
  const listing = startFindListing(root, { ignore: options.ignore, ...(processes !== undefined ? { processes } : {}) });
  const scanner = new ContextScanner(root);
  let parts = 0;
  if (early) {
    listing?.onDirectory((rel, dir) => {
      parts++;
      scanner.listedPart(rel, dir, options);
    });
  }
  const dirs = listing ? await listing.done : null;
  if (early && dirs) expect(parts).toBe(dirs.size);
  return { walked, listed: dirs ? scanner.scanListed(dirs, options) : null };
}

const IGNORE_FILES = [
  '',
  'node_modules\n.git\n*.log\n',
  'node_modules\n!node_modules/**/*.md\n**/*.log\n',
  '**/node_modules\n.git\nlogs\n!logs/today.log\n',
  'packages/p/node_modules\nsrc/lib\n!src/lib/deep\ncaf*\nd*\n',
  '*\n!src\n!sub/.gitignore\n',
  'bad?name.txt\n\\ lead\nlink\ndangling\nsock\npipe\n',
];

(gnuFind ? describe : describe.skip)('the find listing (GNU find)', () => {
  it.each(IGNORE_FILES)('gives what the walker gives, in the same order (ignore file %j)', async (text) => {
    await trickyTree();
    const options: ScanOptions = { ignore: text === '' ? null : Dockerignore.parse(text), readContentPattern: /(^|\/)\.(gitignore|npmrc)$/ };
    // one find, and the listing shared between finds (three: the subtrees are not dealt out evenly);
    // directories gone through at the end, or as soon as they are listed
    for (const [processes, early] of [[1, false], [1, true], [3, false], [3, true]] as const) {
      const { walked, listed } = await both(options, processes, early);
      expect(listed).toEqual(walked);
      expect(walked.files.length).toBeGreaterThan(0);
    }
  });

  it('shares the listing between finds when there are enough directories two levels down', async () => {
    await trickyTree();
    const plan = listingPlan(root, Dockerignore.parse('node_modules\n'), 2);
    expect(plan.units).toHaveLength(2);
    const units = plan.units.flat();
    expect(units.length).toBeGreaterThanOrEqual(8);
    expect(units).toEqual(expect.arrayContaining(['pkgs/a', 'src/lib', 'packages/p']));
    expect(units.some((u) => u.startsWith('node_modules/'))).toBe(false);
    expect(listingPlan(root, null, 1).units).toEqual([]);
    file('one/two/x');
    rmSync(join(root, 'pkgs'), { recursive: true });
    expect(listingPlan(root, null, 2).units).toEqual([]);
  });

  it('meets every kind of problem the walker reports', async () => {
    await trickyTree();
    const { walked, listed } = await both({ ignore: null });
    expect(listed).toEqual(walked);
    const kinds = walked.problems.map((p) => `${p.kind} ${JSON.stringify(p.path)}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'odd-name "bad\\nname.txt"',
      'odd-name " lead"',
      'odd-name "trail "',
      'odd-name "caf\uFFFD"',
      'unreadable-dir "d\uFFFD"',
      'special-file "pipe"',
      'special-file "sock"',
    ]));
    expect(walked.files.map((f) => f.path)).toEqual(expect.arrayContaining(['\uFFFDreal', 'link', 'dangling', 'src/lib/up']));
  });

  it('sizes pruned directories as the walker does (--measure-excluded)', async () => {
    await trickyTree();
    const { walked, listed } = await both({ ignore: Dockerignore.parse('node_modules\n.git\nd*\n'), sizeExcluded: true }, 2, true);
    expect(listed).toEqual(walked);
    expect(walked.prunedDirs.find((d) => d.path === 'node_modules')).toEqual({ path: 'node_modules', files: 3, bytes: 1077 });
  });

  it('prunes in find what the scanner prunes, top-level and named deeper, and nothing an exception reaches', () => {
    file('node_modules/a.js');
    file('packages/p/node_modules/b.js');
    file('.git/HEAD');
    file('keep/x');
    const args = (text: string) => findArguments(['.'], null, listingPlan(root, Dockerignore.parse(text), 1).prune).join(' ');
    expect(args('node_modules\n.git\npackages/p/node_modules\n')).toContain('( -path ./.git -o -path ./node_modules -o -path ./packages/p/node_modules ) -printf P0/%p\\0 -prune');
    expect(args('node_modules\n!node_modules/a.js\n')).not.toContain('-path');
    expect(args('*\n!keep\n')).toContain('-path ./node_modules');
    expect(args('*\n!keep\n')).not.toContain('./keep');
    file('we[ird]*/x');
    expect(args('we*\n')).toContain('-path ./we\\[ird\\]\\*');
  });

  it('keeps the order of readdir in a directory of more than 10,000 entries (find may list them by inode)', async () => {
    mkdirSync(join(root, 'big'));
    for (let i = 0; i < 10_050; i++) writeFileSync(join(root, 'big', `f${(i * 7919) % 10_050}`), '');
    const { walked, listed } = await both({ ignore: null });
    expect(listed).toEqual(walked);
    // 10,050 files made, walked twice and compared: ~2 s here, over Jest's 5 s on a loaded machine.
  }, 30_000);

  // As root every file and directory is readable: the unreadable ones are checked as another user.
  const nobody = asRoot && existsSync('/usr/bin/setpriv');
  const compiled = new URL('../../dist/src/io/context-find.js', import.meta.url);
  (nobody && existsSync(compiled) ? it : it.skip)('leaves unreadable directories and files to the walker, which reports them (as another user)', () => {
    file('open/a.js', 3);
    file('locked/x', 1);
    file('noexec/y', 2);
    file('noread/z', 2);
    file('secret.txt', 4);
    file('groupread.txt', 5);
    file('excluded/locked/w', 1);
    chmodSync(root, 0o755);
    execFileSync('chmod', ['-R', 'a+rX', root]);
    chmodSync(join(root, 'locked'), 0o000);
    chmodSync(join(root, 'noexec'), 0o744);
    chmodSync(join(root, 'noread'), 0o311);
    chmodSync(join(root, 'secret.txt'), 0o600);
    chmodSync(join(root, 'groupread.txt'), 0o640);
    chmodSync(join(root, 'excluded/locked'), 0o000);
    const script = `
      const { Dockerignore } = await import(${JSON.stringify(new URL('../../dist/src/core/dockerignore.js', import.meta.url).href)});
      const { ContextScanner } = await import(${JSON.stringify(new URL('../../dist/src/io/context-scanner.js', import.meta.url).href)});
      const { startFindListing } = await import(${JSON.stringify(compiled.href)});
      const out = [];
      for (const text of [null, 'excluded\\n', 'excluded\\n!excluded/locked/w\\n']) {
        const options = { ignore: text === null ? null : Dockerignore.parse(text) };
        const walked = new ContextScanner(${JSON.stringify(root)}).scan(options);
        const dirs = await startFindListing(${JSON.stringify(root)}, options).done;
        out.push({ walked, listed: dirs && new ContextScanner(${JSON.stringify(root)}).scanListed(dirs, options) });
      }
      process.stdout.write(JSON.stringify(out));
    `;
    const out = JSON.parse(execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: '/' })) as Array<{ walked: { problems: Array<{ path: string; kind: string }> }; listed: unknown }>;
    for (const { walked, listed } of out) expect(listed).toEqual(walked);
    expect(out[0]!.walked.problems.map((p) => `${p.kind} ${p.path}`).sort()).toEqual([
      'error noexec/y',
      'unreadable-dir excluded/locked',
      'unreadable-dir locked',
      'unreadable-dir noread',
      'unreadable-file groupread.txt',
      'unreadable-file secret.txt',
    ]);
  });
});

describe('the fallback to the node walker', () => {
  it('is taken when find is missing', async () => {
    file('a.js');
    const listing = startFindListing(root, { ignore: null, command: join(root, 'no-such-find') });
    expect(listing).not.toBeNull();
    expect(await listing!.done).toBeNull();
  });

  it('is taken when find is not GNU find (no -printf) or its output is not records', async () => {
    file('a.js');
    writeFileSync(join(root, 'bsd-find'), '#!/bin/sh\necho "find: -printf: unknown primary or operator" >&2\nexit 1\n', { mode: 0o755 });
    writeFileSync(join(root, 'odd-find'), '#!/bin/sh\nprintf "./a.js\\n"\n', { mode: 0o755 });
    for (const command of ['bsd-find', 'odd-find']) {
      const listing = startFindListing(root, { ignore: null, command: join(root, command) });
      expect(await listing!.done).toBeNull();
    }
  });

  it('parses records cut anywhere across chunks, and refuses a cut record', () => {
    const text = Buffer.from('d0/./a\0f12/./a/x\0l3/./a/y\0f5/./b\0');
    for (let cut = 1; cut < text.length; cut++) {
      const r = new FindRecords();
      expect(r.push(text.subarray(0, cut))).toBe(true);
      expect(r.push(text.subarray(cut))).toBe(true);
      const dirs = r.listing()!;
      expect(dirs.get('')!.sorted().map((e) => e.name)).toEqual(['a', 'b']);
      expect(dirs.get('a')!.sorted()).toEqual([expect.objectContaining({ name: 'x', type: 'f', size: 12 }), expect.objectContaining({ name: 'y', type: 'l', size: 3 })]);
    }
    // ASCII chunks are decoded whole, others record by record: a cut puts the same record in either.
    const mixed = Buffer.concat([Buffer.from('d0/./\u00e9\0f3/./\u00e9/\u00fc.txt\0f4/./\u00e9/plain\0f5/./'), Buffer.from([0x78, 0xff]), Buffer.from('\0d0/./a\0f6/./a/longer-than-thirteen.js\0f7/./z\0')]);
    const entries = (r: FindRecords) => [...r.listing()!].map(([dir, list]) => [dir, list.sorted().map((e) => ({ ...e }))]);
    const whole = new FindRecords();
    expect(whole.push(mixed)).toBe(true);
    const expected = entries(whole);
    expect(expected).toContainEqual(['a', [expect.objectContaining({ name: 'longer-than-thirteen.js', path: 'a/longer-than-thirteen.js', size: 6 })]]);
    expect(expected).toContainEqual(['\u00e9', [expect.objectContaining({ name: 'plain', size: 4 }), expect.objectContaining({ name: '\u00fc.txt', path: '\u00e9/\u00fc.txt', size: 3 })]]);
    for (let cut = 1; cut < mixed.length; cut++) {
      const r = new FindRecords();
      expect(r.push(mixed.subarray(0, cut))).toBe(true);
      expect(r.push(mixed.subarray(cut))).toBe(true);
      expect(entries(r)).toEqual(expected);
    }
    const cut = new FindRecords();
    cut.push(Buffer.from('f1/./a\0f2/./b'));
    expect(cut.listing()).toBeNull();
    expect(new FindRecords().push(Buffer.from('f1/a\0'))).toBe(false);
  });

  it('tells apart start points of the same length (each find of a shared listing lists several)', () => {
    const fresh = () => new Map([['', new Listed()], ['a/b', new Listed()], ['a/c', new Listed()], ['a/bcd', new Listed()]]);
    const dirs = fresh();
    const r = new FindRecords(dirs, null, new Set(['a/b', 'a/c', 'a/bcd']));
    expect(r.push(Buffer.from('d0/./a/b\0d0/./a/b/xyz\0f1/./a/b/xyz/1\0d0/./a/c\0f2/./a/c/2\0d0/./a/bcd\0f3/./a/bcd/3\0f4/./a/bcd/4\0'))).toBe(true);
    const names = (rel: string) => dirs.get(rel)!.sorted().map((e) => e.name);
    expect(names('a/b')).toEqual(['xyz']);
    expect(names('a/b/xyz')).toEqual(['1']);
    expect(names('a/c')).toEqual(['2']);
    expect(names('a/bcd')).toEqual(['3', '4']);
    expect(names('')).toEqual([]);
    // an entry before its start point, or a start point that is not a directory: not what was asked for
    expect(new FindRecords(fresh(), null, new Set(['a/b'])).push(Buffer.from('f1/./a/b/x\0'))).toBe(false);
    expect(new FindRecords(fresh(), null, new Set(['a/b'])).push(Buffer.from('X0/./a/b\0'))).toBe(false);
  });

  (linux ? it : it.skip)('gives the same report from `buildlens context` with find missing or failing', async () => {
    await trickyTree();
    writeFileSync(join(root, 'Dockerfile'), 'FROM busybox\nCOPY . /app\n');
    writeFileSync(join(root, 'Dockerfile.dockerignore'), 'node_modules\n*.log\n!logs/today.log\n');
    const fake = mkdtempSync(join(tmpdir(), 'buildlens-fake-find-'));
    try {
      writeFileSync(join(fake, 'find'), `#!/bin/sh\necho ran > ${JSON.stringify(join(fake, 'ran'))}\nexit 1\n`, { mode: 0o755 });
      const argv = ['context', root, '-f', join(root, 'Dockerfile'), '--format', 'json', '--files'];
      const withFind = await runCliIn(root, argv);
      const missing = await runCliIn(root, argv, { env: { PATH: join(fake, 'none') } });
      const failing = await runCliIn(root, argv, { env: { PATH: fake } });
      expect(existsSync(join(fake, 'ran'))).toBe(true);
      expect(withFind.code).toBe(0);
      const json = JSON.parse(withFind.stdout) as { dockerignore: { path: string }; paths: string[] };
      expect(json.dockerignore.path).toBe('Dockerfile.dockerignore');
      expect(json.paths).toContain('logs/today.log');
      expect(json.paths).not.toContain('node_modules/x/index.js');
      expect(missing.stdout).toBe(withFind.stdout);
      expect(failing.stdout).toBe(withFind.stdout);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});
