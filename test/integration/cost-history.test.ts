// Costs on real builds of the local engine: a rebuild served from the cache is priced with the times
// of the earlier build in the history; `lint` reads that history; pragmas and serial-stages on a real
// build.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describeDocker } from './docker.js';

const BUILD_TIMEOUT = 300_000;
const cli = join(process.cwd(), 'bin', 'buildlens.js');

interface Finding { rule: string; line: number | null; costMs: number | null }
interface JsonReport { steps: Array<{ internal: boolean; status: string; instruction: string | null; durationMs: number | null }>; findings: Finding[]; atStakeMs: number | null; suppressedFindings: number }

describeDocker('costs from the history on real builds', () => {
  let dir = '';
  let cache = '';
  const env = () => ({ ...process.env, BUILDLENS_CACHE_DIR: cache, CI: 'true' });
  const buildlens = (args: string[]) => execa('node', [cli, ...args], { env: env(), reject: false, cwd: dir });
  // Reports go outside the context: a file written there would change `COPY . .` and miss the cache.
  const out = (file: string) => join(cache, file);
  const read = (file: string) => JSON.parse(readFileSync(out(file), 'utf8')) as JsonReport;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-cost-'));
    cache = mkdtempSync(join(tmpdir(), 'buildlens-cost-cache-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('a fully cached rebuild still prices copy-before-install with the cold times, and lint finds that build in the history', async () => {
    cpSync(join(process.cwd(), 'samples', 'node-app'), dir, { recursive: true });
    const cold = await buildlens(['build', '--view', 'quiet', '--report', out('cold.json'), '--', '--no-cache', '--network=none', '.']);
    expect(cold.exitCode).toBe(0);
    const coldCost = read('cold.json').findings.find((f) => f.rule === 'copy-before-install')?.costMs ?? 0;
    // npm ci (3 s in the stand-in) and npm run build (3 s): the install and every step after it.
    expect(coldCost).toBeGreaterThan(5000);

    const warm = await buildlens(['build', '--view', 'quiet', '--report', out('warm.json'), '--', '--network=none', '.']);
    expect(warm.exitCode).toBe(0);
    const w = read('warm.json');
    const runs = w.steps.filter((s) => !s.internal && s.instruction?.startsWith('RUN'));
    expect(runs.map((s) => s.status)).toEqual(['cached', 'cached']);
    const warmCost = w.findings.find((f) => f.rule === 'copy-before-install')?.costMs;
    expect(warmCost).toBe(coldCost);
    expect(w.atStakeMs).toBeGreaterThanOrEqual(coldCost);
    expect(warm.stderr).toMatch(/at stake/);

    // lint without --report: the newest build of this Dockerfile (the warm one), priced from the cold one.
    const lint = await buildlens(['lint', '--format', 'json']);
    const l = JSON.parse(lint.stdout) as { build: string | null; findings: Finding[]; atStakeMs: number | null };
    expect(l.build).toContain(cache);
    expect(l.findings.find((f) => f.rule === 'copy-before-install')?.costMs).toBe(coldCost);
    // Without the history, the cached build says nothing of what a miss costs.
    const off = await buildlens(['build', '--view', 'quiet', '--no-history', '--report', out('off.json'), '--', '--network=none', '.']);
    expect(off.exitCode).toBe(0);
    expect(read('off.json').findings.find((f) => f.rule === 'copy-before-install')?.costMs).toBeNull();
  }, BUILD_TIMEOUT);

  it('serial-stages gives the seconds two installs would save as stages; a pragma suppresses a finding and the report counts it', async () => {
    writeFileSync(join(dir, 'package.json'), '{"name":"x","version":"1.0.0","dependencies":{}}\n');
    writeFileSync(join(dir, 'package-lock.json'), '{"name":"x","lockfileVersion":3,"packages":{}}\n');
    writeFileSync(join(dir, 'requirements.txt'), 'flask\n');
    writeFileSync(join(dir, 'Dockerfile'), [
      'FROM localbase/toolchains',
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      '# buildlens-ignore missing-cache-mount the stand-in has no cache',
      'RUN npm ci',
      'COPY requirements.txt ./',
      'RUN pip install --no-cache-dir -r requirements.txt',
      '',
    ].join('\n'));
    const r = await buildlens(['build', '--view', 'quiet', '--report', out('r.json'), '--', '--no-cache', '--network=none', '.']);
    expect(r.exitCode).toBe(0);
    const report = read('r.json');
    const serial = report.findings.find((f) => f.rule === 'serial-stages');
    expect(serial?.line).toBe(7);
    // Both installs take about 3 s in the stand-in: sum less the longest is about 3 s.
    expect(serial?.costMs).toBeGreaterThan(2500);
    expect(serial?.costMs).toBeLessThan(4500);
    expect(report.findings.filter((f) => f.rule === 'missing-cache-mount').map((f) => f.line)).toEqual([7]);
    expect(report.suppressedFindings).toBe(1);
    expect(r.stderr).toMatch(/1 finding suppressed by pragmas/);
  }, BUILD_TIMEOUT);
});
