// Budgets and the remote-cache findings on real builds of the local engine, through the built CLI:
// a breached budget exits 1 and says which, docker's own exit code wins on a failed build, and the
// docker driver's refusal of --cache-to is explained and kept in the report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { describeDocker } from './docker.js';

const BUILD_TIMEOUT = 300_000;
const cli = join(process.cwd(), 'bin', 'buildlens.js');

describeDocker('budgets and remote cache on real builds', () => {
  let dir = '';
  const run = (args: string[], env: Record<string, string> = {}) =>
    execa('node', [cli, 'build', '--view', 'quiet', '--no-history', ...args], { env: { ...process.env, CI: '', GITHUB_ACTIONS: '', ...env }, reject: false, cwd: dir });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-budgets-'));
    // A unique step, so that the build really runs (no cache hit from another run).
    writeFileSync(join(dir, 'Dockerfile'), `FROM localbase/busybox\nRUN echo ${randomUUID()} && sleep 1.2\n`);
    writeFileSync(join(dir, 'Dockerfile.fail'), `FROM localbase/busybox\nRUN echo ${randomUUID()} && exit 3\n`);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a breached --max-step-duration exits 1 and prints the budget, the step and the limit; the report says the same', async () => {
    const report = join(dir, 'slow.json');
    const r = await run(['--report', report, '--max-step-duration', '500ms', '--max-duration', '10m', '--', '--network=none', '.']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^buildlens: budget --max-step-duration breached: step RUN echo [0-9a-f-]+ && sleep 1\.2 is 1\.\ds, over the limit of 0\.5s\.$/m);
    expect(r.stderr).not.toMatch(/--max-duration breached/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { steps: Array<{ id: string; instruction: string | null; durationMs: number | null }>; budgets: { set: string[]; breaches: Array<{ budget: string; stepId: string | null }> } };
    const step = json.steps.find((s) => s.instruction?.startsWith('RUN echo'))!;
    expect(step.durationMs).toBeGreaterThan(1000);
    expect(json.budgets.set).toEqual(['max-duration', 'max-step-duration']);
    expect(json.budgets.breaches).toEqual([expect.objectContaining({ budget: 'max-step-duration', stepId: step.id })]);
    // Rebuilt from the cache it meets the same budget: exit 0.
    const again = await run(['--max-step-duration', '500ms', '--min-cache-ratio', '0.5', '--', '--network=none', '.']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).not.toMatch(/breached/);
  }, BUILD_TIMEOUT);

  it('a failed build returns docker\'s exit code, whatever the budgets', async () => {
    const r = await run(['--max-duration', '1ms', '--min-cache-ratio', '1', '--', '--network=none', '-f', 'Dockerfile.fail', '.']);
    expect(r.exitCode).toBe(1); // docker buildx exits 1 on a failed RUN
    expect(r.stderr).not.toMatch(/breached/);
    expect(r.stderr).toMatch(/exit code: 3/);
  }, BUILD_TIMEOUT);

  it('--cache-to type=local on the docker driver: docker refuses, buildlens says what to do and keeps the finding in the report', async () => {
    const report = join(dir, 'refused.json');
    const r = await run(['--report', report, '--', '--network=none', '--cache-to', `type=local,dest=${join(dir, 'cache')}`, '.']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Cache export is not supported for the docker driver');
    expect(r.stderr).toMatch(/^buildlens: The builder "default" uses the docker driver, which cannot export a build cache/m);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { findings: Array<{ rule: string; severity: string }> };
    expect(json.findings).toEqual([expect.objectContaining({ rule: 'cache-to-docker-driver', severity: 'error' })]);
  }, BUILD_TIMEOUT);

  it('a cold build on a CI runner without --cache-from gets the finding; --cache-from an image imports it', async () => {
    const tag = `buildlens-budget-${randomUUID().slice(0, 8)}`;
    try {
      const cold = join(dir, 'cold.json');
      const r = await run(['--report', cold, '--format', 'json', '--', '--network=none', '--no-cache', '--cache-to', 'type=inline', '-t', tag, '.'], { GITHUB_ACTIONS: 'true' });
      expect(r.exitCode).toBe(0);
      const c = JSON.parse(readFileSync(cold, 'utf8')) as { findings: Array<{ rule: string }>; remoteCache: { inline: boolean } | null };
      expect(c.findings.map((f) => f.rule)).toContain('no-cache-from-on-ci');
      expect(c.remoteCache).toMatchObject({ inline: true });
      const warm = join(dir, 'warm.json');
      const w = await run(['--report', warm, '--', '--network=none', '--cache-from', tag, '.'], { GITHUB_ACTIONS: 'true' });
      expect(w.exitCode).toBe(0);
      const j = JSON.parse(readFileSync(warm, 'utf8')) as { findings: Array<{ rule: string }>; remoteCache: { imports: Array<{ source: string }>; stepsFromCache: number } };
      expect(j.findings.map((f) => f.rule)).not.toContain('no-cache-from-on-ci');
      expect(j.remoteCache.imports.map((i) => i.source)).toEqual([tag]);
      expect(j.remoteCache.stepsFromCache).toBeGreaterThanOrEqual(1);
    } finally {
      await execa('docker', ['image', 'rm', '-f', tag], { reject: false });
    }
  }, BUILD_TIMEOUT);
});
