// Costs when the build was served from the cache: cached steps are priced with their time from an
// earlier build of the same Dockerfile in the history, and totals count each step once.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliIn } from '../run-cli.js';
import { saveToHistory } from '../../src/io/history.js';
import { atStakeMs, invalidatedCostMs } from '../../src/core/cost.js';
import { buildFromReportJson, withColdTimes } from '../../src/core/cold-times.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { mapStepsToDockerfile } from '../../src/core/map-steps.js';
import type { LintReport } from '../../src/core/report/render-lint.js';
import type { Report } from '../../src/core/report/report.js';

let dir: string;
let cache: string;
const env = () => ({ BUILDLENS_CACHE_DIR: cache });
const run = (argv: string[]) => runCliIn(dir, argv, { env: env() });

/** The same report as if every step had come from the cache. */
function allCached(json: string): string {
  const r = JSON.parse(json) as Report;
  for (const s of r.steps) if (!s.internal) Object.assign(s, { status: 'cached', durationMs: 0 });
  return JSON.stringify(r);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'buildlens-cost-'));
  cache = mkdtempSync(join(tmpdir(), 'buildlens-cost-cache-'));
  cpSync(join(process.cwd(), 'samples', 'node-app'), dir, { recursive: true });
  writeFileSync(join(dir, '.buildlens.json'), JSON.stringify({ rules: { 'context-unused-files': 'off' } }));
  expect((await run(['report', 'build.plain.log', '--dockerfile', 'Dockerfile', '--format', 'json', '-o', 'cold.json'])).code).toBe(0);
  writeFileSync(join(dir, 'cached.json'), allCached(readFileSync(join(dir, 'cold.json'), 'utf8')));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

async function keep(file: string, at: number): Promise<void> {
  const key = { context: dir, dockerfile: join(dir, 'Dockerfile'), target: null, platform: null, builder: null };
  await saveToHistory(cache, key, readFileSync(join(dir, file), 'utf8'), new Date(at));
}

describe('cost from the history', () => {
  it('a fully cached build without history has no cost to rank by', async () => {
    const r = JSON.parse((await run(['lint', '--report', 'cached.json', '--format', 'json'])).stdout) as LintReport;
    expect(r.findings.find((f) => f.rule === 'copy-before-install')?.costMs).toBeNull();
    expect(r.atStakeMs).toBeNull();
  });

  it('a fully cached build is priced with the cold times of the newest earlier build in the history', async () => {
    await keep('cold.json', 1e12);
    const r = JSON.parse((await run(['lint', '--report', 'cached.json', '--format', 'json'])).stdout) as LintReport;
    // npm ci 3.1s + npm run build 3.1s, as in the cold build.
    expect(r.findings.find((f) => f.rule === 'copy-before-install')?.costMs).toBe(6200);
    expect(r.atStakeMs).toBeGreaterThanOrEqual(6200);
  });

  it('lint without --report takes the newest build of this Dockerfile from the history', async () => {
    await keep('cold.json', 1e12);
    await keep('cached.json', 1e12 + 60_000);
    const r = await run(['lint', '--format', 'json']);
    const report = JSON.parse(r.stdout) as LintReport;
    expect(report.build).toContain(cache);
    expect(report.findings.find((f) => f.rule === 'copy-before-install')?.costMs).toBe(6200);
    const table = await run(['lint']);
    expect(table.stdout).toMatch(/at stake\./);
    // --no-history: no build, no cost.
    const off = JSON.parse((await run(['lint', '--format', 'json', '--no-history'])).stdout) as LintReport;
    expect(off.build).toBeNull();
    expect(off.atStakeMs).toBeNull();
  });

  it('report --dockerfile reads the history too, and says the total at stake', async () => {
    await keep('cold.json', 1e12);
    const r = JSON.parse((await run(['report', 'build.plain.log', '--dockerfile', 'Dockerfile', '--format', 'json'])).stdout) as Report;
    expect(r.atStakeMs).toBeGreaterThanOrEqual(6200);
    expect((await run(['report', 'build.plain.log', '--dockerfile', 'Dockerfile'])).stdout).toMatch(/Findings \(\d+\) - ~[\d.ms]+ at stake/);
    expect((await run(['report', 'build.plain.log', '--dockerfile', 'Dockerfile', '--format', 'markdown'])).stdout).toMatch(/\*\*~[\d.ms]+ at stake\*\*/);
  });
});

describe('atStakeMs', () => {
  it('counts a step once when two findings name it', () => {
    const cold = buildFromReportJson(JSON.parse(readFileSync(join(dir, 'cold.json'), 'utf8')))!;
    const ids = cold.steps.filter((s) => !s.internal && (s.durationMs ?? 0) > 0).map((s) => s.id);
    const time = (id: string) => cold.steps.find((s) => s.id === id)!.durationMs!;
    const a = { costMs: time(ids[0]!) + time(ids[1]!), costSteps: [ids[0]!, ids[1]!] };
    const b = { costMs: time(ids[1]!), costSteps: [ids[1]!] };
    expect(atStakeMs([a, b], cold)).toBe(time(ids[0]!) + time(ids[1]!));
    expect(atStakeMs([a, { costMs: 500 }], cold)).toBe(time(ids[0]!) + time(ids[1]!) + 500);
    expect(atStakeMs([{}], cold)).toBeNull();
  });

  it('a finding that names no steps counts the steps its cost adds up to: its own line, or what a miss there re-runs', () => {
    const df = parseDockerfile(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
    const cold = mapStepsToDockerfile(buildFromReportJson(JSON.parse(readFileSync(join(dir, 'cold.json'), 'utf8')))!, df);
    const install = df.instructions.find((i) => i.text === 'RUN npm ci')!.line;
    const copy = df.instructions.find((i) => i.text === 'COPY . .')!.line;
    const fromLine = { costMs: invalidatedCostMs(cold, df, copy)!, line: copy };
    const ownStep = { costMs: 3100, line: install };
    expect(atStakeMs([fromLine, ownStep], cold, df)).toBe(fromLine.costMs);
    expect(atStakeMs([fromLine, ownStep], cold)).toBe(fromLine.costMs + 3100); // without the Dockerfile the breaker's steps are unknown
    expect(atStakeMs([{ costMs: 1234, line: copy }, ownStep], cold, df)).toBe(1234 + 3100); // adds up to nothing known: its own cost
  });

  it('withColdTimes gives cached steps the time of the newest build where they ran', () => {
    const df = parseDockerfile(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
    const cold = mapStepsToDockerfile(buildFromReportJson(JSON.parse(readFileSync(join(dir, 'cold.json'), 'utf8')))!, df);
    const cached = mapStepsToDockerfile(buildFromReportJson(JSON.parse(readFileSync(join(dir, 'cached.json'), 'utf8')))!, df);
    const faster = { ...cold, steps: cold.steps.map((s) => ({ ...s, durationMs: s.durationMs === null ? null : s.durationMs / 2 })) };
    const priced = withColdTimes(cached, [cold, faster]);
    const install = df.instructions.find((i) => i.text === 'RUN npm ci')!.line;
    expect(priced.steps.find((s) => s.line === install)?.coldMs).toBe(1550);
    expect(invalidatedCostMs(cached, df, install)).toBeNull();
    expect(invalidatedCostMs(priced, df, install)).toBe(3100);
  });
});
