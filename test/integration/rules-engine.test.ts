// Proof, on the real engine, that what two of the rules suggest does what their messages say:
// - missing-cache-mount: the exact mount line it suggests is accepted by the engine (no `# syntax=`),
//   the cache persists across builds, so a re-run of the install finds it warm and is faster, and the
//   cache stays out of the image;
// - add-remote-url: without `--checksum` BuildKit asks the server on every build; with the suggested
//   `--checksum=sha256:…` (the digest filled in) it asks once, then never while the step is cached;
// - git-clone-in-run: the suggested `ADD <repo>.git <dir>` stays cached while the branch does not
//   move, and brings the new commit (re-running what follows) when it does.
// The npm stand-in of localbase/toolchains ignores caches, so the test replaces it with one that uses
// ~/.npm like npm does; every cache entry carries a nonce, so no other run's cache is reused.
import { createServer, type Server } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describeDocker, dockerBuild } from './docker.js';

const TIMEOUT = 180_000;
const cli = join(process.cwd(), 'bin', 'buildlens.js');

interface LintJson { findings: Array<{ rule: string; line: number | null; suggestion: string | null; fix: unknown }> }
interface JsonStep { status: string; line: number | null; durationMs: number | null; internal: boolean; output?: string[] }

async function lintFindings(dockerfile: string, rule: string): Promise<LintJson['findings']> {
  const r = await execa('node', [cli, 'lint', dockerfile, '--format', 'json', '--fail-on', 'none'], { reject: false });
  expect(r.exitCode).toBe(0);
  return (JSON.parse(r.stdout) as LintJson).findings.filter((f) => f.rule === rule);
}

/** Build with plain progress; the steps as buildlens reads them, and the raw output. */
async function build(dir: string, extra: string[] = []): Promise<{ steps: JsonStep[]; output: string }> {
  const run = await dockerBuild(dir, 'plain', extra);
  if (run.exitCode !== 0) throw new Error(`docker build of ${dir} failed:\n${run.output.slice(-3000)}`);
  const r = await execa('node', [cli, 'report', '-', '--format', 'json', '--dockerfile', join(dir, 'Dockerfile')], { input: run.output, reject: false });
  expect(r.exitCode).toBe(0);
  return { steps: (JSON.parse(r.stdout) as { steps: JsonStep[] }).steps, output: run.output };
}

function stepAt(steps: JsonStep[], line: number): JsonStep {
  const s = steps.find((x) => !x.internal && x.line === line);
  if (!s) throw new Error(`no step on line ${line}`);
  return s;
}

describeDocker('missing-cache-mount on the engine', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-cache-mount-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the suggested mount line builds, keeps the cache across builds, and the re-run install is faster', async () => {
    const nonce = randomUUID();
    // An npm stand-in that, like npm, downloads only what ~/.npm lacks (3 s for a cold cache).
    const npm = `#!/bin/sh\\nif [ -f /root/.npm/${nonce} ]; then echo "npm cache warm"; else echo "npm cache cold"; sleep 3; mkdir -p /root/.npm; echo x > /root/.npm/${nonce}; fi\\nmkdir -p node_modules\\n`;
    const original = ['FROM localbase/toolchains', `RUN rm /usr/local/bin/npm && printf '${npm}' > /usr/local/bin/npm && chmod +x /usr/local/bin/npm`, 'WORKDIR /app', 'COPY stamp.txt ./', 'RUN npm ci', ''].join('\n');
    writeFileSync(join(dir, 'Dockerfile'), original);
    writeFileSync(join(dir, 'stamp.txt'), '1\n');

    const [finding] = await lintFindings(join(dir, 'Dockerfile'), 'missing-cache-mount');
    expect(finding).toMatchObject({ line: 5, fix: null });
    const mountLine = finding!.suggestion!.split('\n')[1]!;
    expect(mountLine).toBe('RUN --mount=type=cache,target=/root/.npm npm ci');

    // Without the mount: every re-run of the install is cold.
    const plainCold = await build(dir);
    writeFileSync(join(dir, 'stamp.txt'), '2\n');
    const plainRerun = await build(dir);
    expect(stepAt(plainRerun.steps, 5).status).toBe('done');
    expect(stepAt(plainRerun.steps, 5).durationMs!).toBeGreaterThanOrEqual(2500);

    // With the suggested line: cold once, then warm on a re-run caused by a change above it.
    writeFileSync(join(dir, 'Dockerfile'), original.replace('RUN npm ci', mountLine));
    const cold = await build(dir);
    expect(cold.output).toContain('npm cache cold');
    writeFileSync(join(dir, 'stamp.txt'), '3\n');
    const out = join(dir, 'out');
    const warm = await build(dir, ['--output', `type=local,dest=${out}`]);
    expect(stepAt(warm.steps, 5).status).toBe('done');
    expect(warm.output).toContain('npm cache warm');
    expect(stepAt(warm.steps, 5).durationMs!).toBeLessThan(1500);
    // The cache never enters the image.
    expect(existsSync(join(out, 'root', '.npm', nonce))).toBe(false);
    expect(existsSync(join(out, 'app', 'node_modules'))).toBe(true);
    process.stdout.write(
      `missing-cache-mount: install re-run without the mount ${stepAt(plainRerun.steps, 5).durationMs} ms (first ${stepAt(plainCold.steps, 5).durationMs} ms); with it ${stepAt(cold.steps, 5).durationMs} ms cold, ${stepAt(warm.steps, 5).durationMs} ms re-run\n`,
    );
  }, TIMEOUT);
});

describeDocker('add-remote-url on the engine', () => {
  let dir: string;
  let server: Server;
  let port = 0;
  let requests = 0;
  const body = `tool ${randomUUID()}\n`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-add-url-'));
    server = createServer((req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('without --checksum the server is asked on every build; with the suggested --checksum only once', async () => {
    const url = `http://127.0.0.1:${port}/tool-${randomUUID()}.txt`;
    writeFileSync(join(dir, 'Dockerfile'), `FROM localbase/busybox\nADD ${url} /tool.txt\nRUN cat /tool.txt\n`);
    const [finding] = await lintFindings(join(dir, 'Dockerfile'), 'add-remote-url');
    expect(finding).toMatchObject({ line: 2, fix: null });
    const suggested = finding!.suggestion!.split('\n')[1]!;
    expect(suggested).toBe(`ADD --checksum=sha256:<digest> ${url} /tool.txt`);

    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = requests;
      await build(dir);
      counts.push(requests - before);
    }
    expect(counts.every((n) => n >= 1)).toBe(true);

    const digest = createHash('sha256').update(body).digest('hex');
    writeFileSync(join(dir, 'Dockerfile'), `FROM localbase/busybox\n${suggested.replace('<digest>', digest)}\nRUN cat /tool.txt\n`);
    const pinned: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = requests;
      const b = await build(dir);
      pinned.push(requests - before);
      if (i > 0) expect(stepAt(b.steps, 3).status).toBe('cached');
    }
    expect(pinned.slice(1)).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain(`--checksum=sha256:${digest}`);
    process.stdout.write(`add-remote-url: requests per build without --checksum ${counts.join(', ')}; with it ${pinned.join(', ')}\n`);
  }, TIMEOUT);
});

describeDocker('git-clone-in-run on the engine', () => {
  let dir: string;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-git-add-'));
    // A bare repository served over Git's "dumb" HTTP protocol: plain files.
    server = createServer((req, res) => {
      const path = join(dir, 'www', decodeURIComponent((req.url ?? '/').split('?')[0]!));
      if (!path.startsWith(join(dir, 'www')) || !existsSync(path)) {
        res.writeHead(404);
        res.end();
        return;
      }
      try {
        res.end(readFileSync(path));
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('the suggested ADD <repo>.git follows new commits and stays cached without one', async () => {
    const git = (cwd: string, ...args: string[]) => execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'init.defaultBranch=main', ...args], { cwd });
    const src = join(dir, 'src');
    const bare = join(dir, 'www', 'lib.git');
    mkdirSync(src, { recursive: true });
    mkdirSync(join(dir, 'www'), { recursive: true });
    await git(src, 'init', '-q');
    writeFileSync(join(src, 'a.txt'), `one ${randomUUID()}\n`);
    await git(src, 'add', 'a.txt');
    await git(src, 'commit', '-qm', 'one');
    await git(dir, 'clone', '-q', '--bare', src, bare);
    await git(bare, 'update-server-info');

    const ctx = join(dir, 'ctx');
    mkdirSync(ctx, { recursive: true });
    const url = `http://127.0.0.1:${port}/lib.git`;
    writeFileSync(join(ctx, 'Dockerfile'), `FROM localbase/toolchains\nRUN git clone ${url} /opt/lib\nRUN cat /opt/lib/a.txt\n`);
    const [finding] = await lintFindings(join(ctx, 'Dockerfile'), 'git-clone-in-run');
    expect(finding).toMatchObject({ line: 2, fix: null });
    const add = finding!.suggestion!.split('\n')[1]!;
    expect(add).toBe(`ADD ${url} /opt/lib`);

    writeFileSync(join(ctx, 'Dockerfile'), `FROM localbase/busybox\n${add}\nRUN cat /opt/lib/a.txt\n`);
    const first = await build(ctx);
    expect(first.output).toContain('one ');
    const again = await build(ctx);
    expect(stepAt(again.steps, 3).status).toBe('cached');

    writeFileSync(join(src, 'a.txt'), `two ${randomUUID()}\n`);
    await git(src, 'commit', '-qam', 'two');
    await git(src, 'push', '-q', bare, 'HEAD:main');
    await git(bare, 'update-server-info');
    const moved = await build(ctx);
    expect(stepAt(moved.steps, 3).status).toBe('done');
    expect(moved.output).toContain('two ');
  }, TIMEOUT);
});
