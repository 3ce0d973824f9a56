// `buildlens build` on real builds of the local engine, run as a user runs it: the built CLI, docker's
// arguments passed through, the report checked against what docker itself did.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { describeDocker } from './docker.js';

const BUILD_TIMEOUT = 300_000;
const root = process.cwd();
const cli = join(root, 'bin', 'buildlens.js');
const samples = join(root, 'samples');

interface JsonStep { id: string; name: string; status: string; line: number | null; stage: string | null; instruction: string | null; durationMs: number | null; internal: boolean; output: string[]; error: string | null }
interface JsonReport {
  schemaVersion: number;
  source: { format: string; builder: string };
  steps: JsonStep[];
  totals: { durationMs: number | null; steps: number; cached: number; errors: number; executed: number; canceled: number; incomplete: number };
  error: string | null;
  errorExcerpt: string[];
  criticalPath: { stepIds: string[]; durationMs: number; wallMs: number | null; stepsDurationMs: number; parallelism: number | null } | null;
}

function userSteps(r: JsonReport): JsonStep[] {
  return r.steps.filter((s) => !s.internal);
}

describeDocker('buildlens build on real builds', () => {
  let dir = '';
  let cache = '';
  const env = () => ({ ...process.env, XDG_CACHE_HOME: cache, CI: 'true', BUILDLENS_CACHE_DIR: '' });
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    execa('node', [cli, 'build', ...args], { env: { ...env(), ...extraEnv }, reject: false, cwd: dir });
  const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as JsonReport;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-build-'));
    cache = join(dir, 'cache');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds the Node sample through rawjson: plain view on stderr, report agrees with docker, and a rebuild is all cached', async () => {
    const report = join(dir, 'node.json');
    const first = await run(['--report', report, '--view', 'plain', '--network=none', '-t', 'buildlens-sample-node', join(samples, 'node-app')]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe('');
    // The plain view is BuildKit's own line format.
    expect(first.stderr).toMatch(/^#1 \[internal\] load build definition from Dockerfile$/m);
    expect(first.stderr).toMatch(/^#\d+ (DONE \d+\.\d+s|CACHED)$/m);
    const r1 = readReport(report);
    expect(r1.schemaVersion).toBe(1);
    expect(r1.source.format).toBe('rawjson');
    const lines = userSteps(r1).map((s) => s.line).sort((a, b) => a! - b!);
    expect(lines).toEqual([3, 4, 5, 6, 7, 9, 10, 11, 12]);
    // The image docker built is there, under the tag passed through.
    expect(execFileSync('docker', ['image', 'inspect', 'buildlens-sample-node', '--format', '{{.Id}}'], { encoding: 'utf8' })).toMatch(/^sha256:/);
    // The table went to stderr, after the view.
    expect(first.stderr).toMatch(/Wall time/);

    const second = await run(['--report', report, '--view', 'quiet', '--network=none', join(samples, 'node-app')]);
    expect(second.exitCode).toBe(0);
    const r2 = readReport(report);
    // (BuildKit reports a FROM of a local image as resolved, not cached.)
    const rebuilt = userSteps(r2).filter((s) => !s.instruction?.startsWith('FROM'));
    expect(rebuilt.length).toBe(7);
    for (const s of rebuilt) expect([s.instruction, s.status]).toEqual([s.instruction, 'cached']);
    // Every report is kept in the history, under the cache directory, not in the context.
    const hist = join(cache, 'buildlens', 'history');
    const keys = readdirSync(hist);
    expect(keys).toHaveLength(1);
    expect(readdirSync(join(hist, keys[0]!)).filter((f) => f !== 'key.json')).toHaveLength(2);
    expect(readdirSync(join(samples, 'node-app')).some((f) => /buildlens/i.test(f))).toBe(false);
  }, BUILD_TIMEOUT);

  it('runs parallel stages: the critical path is the slow stage, and the step sum exceeds the wall time', async () => {
    const report = join(dir, 'parallel.json');
    const r = await run(['--report', report, '--view', 'quiet', '--no-history', '--network=none', '--no-cache', join(samples, 'parallel-stages')]);
    expect(r.exitCode).toBe(0);
    const rep = readReport(report);
    const cp = rep.criticalPath!;
    const onPath = cp.stepIds.map((id) => rep.steps.find((s) => s.id === id)!);
    expect(onPath.some((s) => s.stage === 'assets' && /sleep/.test(s.instruction ?? ''))).toBe(true);
    // (The shared `FROM localbase/busybox` is one vertex, named after whichever stage reached it first.)
    expect(onPath.some((s) => s.stage === 'deps' && /sleep/.test(s.instruction ?? ''))).toBe(false);
    expect(cp.stepsDurationMs).toBeGreaterThan(cp.wallMs! );
    expect(cp.parallelism).toBeGreaterThan(1.2);
    expect(r.stderr).toMatch(/critical path: assets > RUN echo "building assets"/);
  }, BUILD_TIMEOUT);

  it('builds the Python and Go samples with every step mapped to its line', async () => {
    for (const [name, expected] of [['python-app', [2, 3, 4, 5, 6]], ['go-service', [2, 3, 4, 5, 6, 7, 9, 10]]] as const) {
      const report = join(dir, `${name}.json`);
      const r = await run(['--report', report, '--view', 'quiet', '--no-history', '--network=none', join(samples, name)]);
      expect(r.exitCode).toBe(0);
      const lines = userSteps(readReport(report)).map((s) => s.line).sort((a, b) => a! - b!);
      expect(lines).toEqual([...expected]);
    }
  }, BUILD_TIMEOUT);

  it('a failed build returns docker\'s exit code and still prints and saves its report', async () => {
    const report = join(dir, 'fail.json');
    const docker = await execa('docker', ['buildx', 'build', '--progress=plain', '--network=none', join(samples, 'failing')], { reject: false });
    const r = await run(['--report', report, '--view', 'quiet', '--no-history', '--network=none', join(samples, 'failing')]);
    expect(docker.exitCode).not.toBe(0);
    expect(r.exitCode).toBe(docker.exitCode);
    const rep = readReport(report);
    const failed = rep.steps.find((s) => s.status === 'error')!;
    expect(failed.line).toBe(5);
    expect(failed.output).toContain("main.c:3:5: error: expected ';' before 'return'");
    expect(rep.error).toMatch(/exit code: 2/);
    expect(rep.errorExcerpt.join('\n')).toContain('>>>');
    expect(r.stderr).toMatch(/Build failed at/);
  }, BUILD_TIMEOUT);

  it('masks a secret-looking build-arg in the view, the report, the log and the history', async () => {
    const secret = `tok-${randomUUID()}`;
    const ctx = join(dir, 'secret');
    rmSync(ctx, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', ctx]);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localbase/busybox\nARG NPM_TOKEN\nRUN echo "token is $NPM_TOKEN" && echo done\n');
    const report = join(dir, 'secret.json');
    const log = join(dir, 'secret.log');
    const secretCache = join(dir, 'secret-cache');
    const r = await run(['--report', report, '--log', log, '--view', 'plain', '--network=none', '--build-arg', `NPM_TOKEN=${secret}`, ctx], { XDG_CACHE_HOME: secretCache });
    expect(r.exitCode).toBe(0);
    // BuildKit puts the value in the step name and the step prints it: both are masked.
    expect(r.stderr).toContain('token is *****');
    const everything = [r.stdout, r.stderr, readFileSync(report, 'utf8'), readFileSync(log, 'utf8')];
    const hist = join(secretCache, 'buildlens', 'history');
    for (const k of readdirSync(hist)) for (const f of readdirSync(join(hist, k))) everything.push(readFileSync(join(hist, k, f), 'utf8'));
    expect(everything.length).toBeGreaterThan(4);
    for (const text of everything) expect(text).not.toContain(secret);
  }, BUILD_TIMEOUT);

  it('keeps stdout docker\'s: -q prints the image id, -o - writes the tar', async () => {
    const q = await run(['-q', '--no-history', '--network=none', join(samples, 'python-app')]);
    expect(q.exitCode).toBe(0);
    expect(q.stdout).toMatch(/^sha256:[0-9a-f]{64}$/);
    const tarFile = join(dir, 'out.tar');
    const o = spawnSync('sh', ['-c', `node "${cli}" build --view quiet --no-history --network=none -o - "${join(samples, 'python-app')}" > "${tarFile}"`], { env: env(), encoding: 'utf8' });
    expect(o.status).toBe(0);
    const list = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' });
    expect(list).toMatch(/^app\/app\/__main__\.py$/m);
  }, BUILD_TIMEOUT);

  it('runs the legacy builder with DOCKER_BUILDKIT=0, timing steps as their lines arrive', async () => {
    const report = join(dir, 'legacy.json');
    const r = await run(['--report', report, '--no-history', '--network=none', join(samples, 'parallel-stages')], { DOCKER_BUILDKIT: '0' });
    expect(r.exitCode).toBe(0);
    // The legacy builder prints its progress on stdout: it stays there, as docker printed it.
    expect(r.stdout).toMatch(/^Step 1\/\d+ : FROM localbase\/busybox AS assets$/m);
    const rep = readReport(report);
    expect(rep.source.format).toBe('legacy');
    const sleep = userSteps(rep).find((s) => /building assets/.test(s.instruction ?? s.name));
    expect(sleep).toBeDefined();
  }, BUILD_TIMEOUT);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops docker on ${signal} sent to buildlens alone, writes the partial report and exits ${signal === 'SIGTERM' ? 143 : 130}`, async () => {
      const ctx = join(dir, `sig-${signal}`);
      execFileSync('mkdir', ['-p', ctx]);
      writeFileSync(join(ctx, 'Dockerfile'), `FROM localbase/busybox\nRUN echo ${randomUUID()}\nRUN echo sleeping && sleep 60\n`);
      const report = join(dir, `sig-${signal}.json`);
      const child = execa('node', [cli, 'build', '--report', report, '--view', 'plain', '--no-history', '--network=none', ctx], { env: env(), reject: false });
      let seen = '';
      await new Promise<void>((res) => {
        child.stderr?.on('data', (c: Buffer) => {
          seen += c.toString();
          if (/0\.\d+ sleeping/.test(seen)) res();
        });
      });
      const t0 = Date.now();
      child.kill(signal);
      const r = await child;
      expect(r.exitCode).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(Date.now() - t0).toBeLessThan(30_000);
      const rep = readReport(report);
      const sleep = userSteps(rep).find((s) => /sleep 60/.test(s.instruction ?? ''))!;
      expect(['canceled', 'incomplete', 'error']).toContain(sleep.status);
      expect(userSteps(rep).some((s) => s.status === 'done')).toBe(true);
      // docker is gone: no build of this context is left running.
      const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      expect(ps.includes(ctx)).toBe(false);
    }, BUILD_TIMEOUT);
  }

  it('says what to do when the daemon is down, the context or the Dockerfile is missing (exit 2)', async () => {
    const down = await run(['--view', 'quiet', '--network=none', join(samples, 'python-app')], { DOCKER_HOST: `unix://${join(dir, 'no-daemon.sock')}` });
    expect(down.exitCode).toBe(2);
    expect(down.stderr).toMatch(/^buildlens: the Docker daemon is not reachable: start Docker/m);
    const noCtx = await run(['--network=none', join(dir, 'nothing-here')]);
    expect(noCtx.exitCode).toBe(2);
    expect(noCtx.stderr).toMatch(/does not exist/);
    const noFile = await run(['--network=none', '-f', join(dir, 'Nope.Dockerfile'), join(samples, 'python-app')]);
    expect(noFile.exitCode).toBe(2);
    expect(noFile.stderr).toMatch(/The Dockerfile .* does not exist/);
  }, BUILD_TIMEOUT);

  // The live view needs a terminal: tmux gives one. .ci/run installs tmux, and there a missing tmux fails.
  const haveTmux = spawnSync('tmux', ['-V']).status === 0 || process.env.BUILDLENS_REQUIRE_DOCKER === '1';
  (haveTmux ? it : it.skip)('shows the live view in a terminal: running steps with their last line, then finished ones', async () => {
    const session = `buildlens-${process.pid}`;
    const ctx = join(dir, 'live');
    execFileSync('mkdir', ['-p', ctx]);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM localbase/busybox\nRUN echo ${randomUUID()}\nRUN echo warming-up && sleep 4 && echo finished-now\n`);
    const done = join(dir, 'live.done');
    const cmd = `env -u CI XDG_CACHE_HOME='${cache}' node '${cli}' build --network=none '${ctx}'; echo $? > '${done}'; sleep 30`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', cmd]);
    try {
      let running = '';
      for (let i = 0; i < 100 && !/▸ .*sleep 4[\s\S]*warming-up/.test(running); i++) {
        await new Promise((r) => setTimeout(r, 150));
        running = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
      }
      expect(running).toMatch(/Building \d+\.\ds · \d+\/\d+ steps done/);
      expect(running).toMatch(/▸ \[3\/3\] RUN echo warming-up/);
      expect(running).toMatch(/✓ \[2\/3\] RUN echo/);
      for (let i = 0; i < 100 && !existsSync(done); i++) await new Promise((r) => setTimeout(r, 200));
      const end = execFileSync('tmux', ['capture-pane', '-p', '-t', session, '-S', '-100'], { encoding: 'utf8' });
      expect(readFileSync(done, 'utf8').trim()).toBe('0');
      expect(end).toMatch(/Built \d+\.\ds · 3\/3 steps done/);
      expect(end).toMatch(/✓ \[3\/3\] RUN echo warming-up.* 4\.\ds/);
      expect(end).toMatch(/Wall time/);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  }, BUILD_TIMEOUT);
});
