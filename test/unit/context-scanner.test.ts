// ContextScanner on a temp directory: pruning, symlinks sent as links, special files and unreadable
// directories reported, never thrown.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ContextScanner, startScanWorker } from '../../src/io/context-scanner.js';
import { Dockerignore } from '../../src/core/dockerignore.js';

let root: string;

function file(path: string, size = 10): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), 'x'.repeat(size));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'buildlens-scan-'));
  file('src/a.js', 100);
  file('src/lib/b.js', 50);
  file('node_modules/x/index.js', 1000);
  file('node_modules/x/README.md', 7);
  file('.git/HEAD', 20);
  file('app.log', 5);
  symlinkSync('src', join(root, 'link'));
});

afterEach(() => {
  try {
    chmodSync(join(root, 'locked'), 0o755);
  } catch {
    // not there
  }
  rmSync(root, { recursive: true, force: true });
});

const paths = (files: Array<{ path: string }>) => files.map((f) => f.path).sort();

describe('ContextScanner', () => {
  it('sizes every file without an ignore file, and sends symlinks as links', () => {
    const scan = new ContextScanner(root).scan({ ignore: null });
    expect(paths(scan.files)).toEqual(['.git/HEAD', 'app.log', 'link', 'node_modules/x/README.md', 'node_modules/x/index.js', 'src/a.js', 'src/lib/b.js']);
    expect(scan.files.find((f) => f.path === 'src/a.js')?.size).toBe(100);
    expect(scan.files.find((f) => f.path === 'link')?.kind).toBe('symlink');
    expect(scan.problems).toEqual([]);
  });

  it('prunes excluded directories unless an exception reaches inside', () => {
    const pruned = new ContextScanner(root).scan({ ignore: Dockerignore.parse('node_modules\n.git\n*.log\n') });
    expect(paths(pruned.files)).toEqual(['link', 'src/a.js', 'src/lib/b.js']);
    expect(pruned.prunedDirs.map((d) => d.path).sort()).toEqual(['.git', 'node_modules']);
    expect(paths(pruned.excludedFiles)).toEqual(['app.log']);

    const walked = new ContextScanner(root).scan({ ignore: Dockerignore.parse('node_modules\n!node_modules/**/*.md\n') });
    expect(paths(walked.files)).toContain('node_modules/x/README.md');
    expect(paths(walked.files)).not.toContain('node_modules/x/index.js');
    expect(walked.prunedDirs).toEqual([]);
  });

  it('sizes pruned directories on request', () => {
    const scan = new ContextScanner(root).scan({ ignore: Dockerignore.parse('node_modules\n'), sizeExcluded: true });
    expect(scan.prunedDirs).toEqual([{ path: 'node_modules', files: 2, bytes: 1007 }]);
  });

  it('reads the content of the files asked for', () => {
    file('.npmrc', 0);
    writeFileSync(join(root, '.npmrc'), '//r/:_authToken=x\n');
    const scan = new ContextScanner(root).scan({ ignore: null, readContent: (p) => p === '.npmrc' });
    expect(scan.files.find((f) => f.path === '.npmrc')?.content).toBe('//r/:_authToken=x\n');
    expect(scan.files.find((f) => f.path === 'src/a.js')?.content).toBeUndefined();
  });

  it('reports special files and odd names instead of failing', () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    file('bad\nname.txt', 1);
    const scan = new ContextScanner(root).scan({ ignore: null });
    expect(scan.problems.map((p) => [p.path, p.kind])).toEqual(expect.arrayContaining([['pipe', 'special-file'], ['bad\nname.txt', 'odd-name']]));
    expect(paths(scan.files)).not.toContain('pipe');
  });

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? it.skip : it)('reports an unreadable directory (not as root)', () => {
    file('locked/x', 1);
    chmodSync(join(root, 'locked'), 0o000);
    const scan = new ContextScanner(root).scan({ ignore: null });
    expect(scan.problems).toEqual([expect.objectContaining({ path: 'locked', kind: 'unreadable-dir', excluded: false })]);
  });

  describe('scanParallel', () => {
    /** A context big enough to be shared out: ~5,000 entries, nested, with links, logs, content. */
    function bigTree(): void {
      for (let a = 0; a < 12; a++) {
        for (let b = 0; b < 8; b++) {
          const dir = join(root, `pkg${a}`, `mod${b}`, b % 2 ? 'lib' : '');
          mkdirSync(dir, { recursive: true });
          for (let c = 0; c < 50; c++) writeFileSync(join(dir, c % 17 === 0 ? `f${c}.log` : `f${c}.js`), 'x'.repeat((a * 7 + b * 3 + c) % 40));
          if (b === 3) writeFileSync(join(dir, '.gitignore'), `dist\n# ${a}\n`);
          if (b === 5) symlinkSync('../mod0', join(dir, 'up'));
        }
      }
    }
    const options = () => ({ ignore: Dockerignore.parse('node_modules\n*.log\n**/*.log\n!pkg3/**/f17.log\n'), readContentPattern: /(^|\/)\.gitignore$/ });
    // The compiled worker (npm test builds dist/ first); without it the scan must still be whole.
    const compiled = new URL('../../dist/src/io/context-scan-worker.js', import.meta.url);

    (existsSync(compiled) ? it : it.skip)('gives what scan gives, in the same order, with the worker walking part of it', async () => {
      bigTree();
      const expected = new ContextScanner(root).scan(options());
      expect(expected.files.length).toBeGreaterThan(4000);
      const worker = startScanWorker(compiled);
      expect(worker).not.toBeNull();
      const got = await new ContextScanner(root).scanParallel(options(), worker);
      expect(got).toEqual(expected);
      expect(got.files.find((f) => f.path === 'pkg2/mod3/lib/.gitignore')?.content).toBe('dist\n# 2\n');
    });

    it('gives what scan gives when the worker cannot start (this thread walks it all)', async () => {
      bigTree();
      const expected = new ContextScanner(root).scan(options());
      const got = await new ContextScanner(root).scanParallel(options(), startScanWorker(new URL('file:///nonexistent/worker.js')));
      expect(got).toEqual(expected);
      expect(await new ContextScanner(root).scanParallel(options())).toEqual(expected);
    });

    it('walks a small context on this thread alone', async () => {
      const expected = new ContextScanner(root).scan({ ignore: null });
      expect(await new ContextScanner(root).scanParallel({ ignore: null }, startScanWorker(compiled))).toEqual(expected);
    });
  });
});
