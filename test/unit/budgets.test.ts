// Budgets: parsing the limits as written, checking recorded reports against them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BudgetSyntaxError, breachText, cacheRatio, checkBudgets, parseBudget, parseDurationLimit, parsePercentLimit, parseRatioLimit, parseSizeLimit } from '../../src/core/budgets.js';
import { ConfigError, DEFAULT_CONFIG, mergeConfig, validateConfig } from '../../src/core/config.js';
import type { Report } from '../../src/core/report/report.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const load = (name: string): Report => JSON.parse(readFileSync(join(repo, 'test', 'fixtures', 'ci-reports', `ci-app.${name}.json`), 'utf8')) as Report;

describe('parsing budgets', () => {
  it('durations: 5m, 60s, 1m30s, 1.5h, 500ms', () => {
    expect(parseDurationLimit('5m')).toBe(300_000);
    expect(parseDurationLimit('60s')).toBe(60_000);
    expect(parseDurationLimit('1m30s')).toBe(90_000);
    expect(parseDurationLimit('1.5h')).toBe(5_400_000);
    expect(parseDurationLimit('500ms')).toBe(500);
    for (const bad of ['5', '', 'm', '5 minutes', '-5m', '5m3']) expect(() => parseDurationLimit(bad)).toThrow(BudgetSyntaxError);
  });

  it('sizes in decimal units as docker prints them, binary when asked', () => {
    expect(parseSizeLimit('200MB')).toBe(200_000_000);
    expect(parseSizeLimit('200mb')).toBe(200_000_000);
    expect(parseSizeLimit('1.5GB')).toBe(1_500_000_000);
    expect(parseSizeLimit('500kB')).toBe(500_000);
    expect(parseSizeLimit('512MiB')).toBe(512 * 1024 * 1024);
    expect(parseSizeLimit('100')).toBe(100);
    for (const bad of ['big', 'MB', '5XB']) expect(() => parseSizeLimit(bad)).toThrow(/must be a size such as 200MB/);
  });

  it('ratios and percentages', () => {
    expect(parseRatioLimit('0.8')).toBe(0.8);
    expect(parseRatioLimit('80%')).toBe(0.8);
    expect(parseRatioLimit(0.5)).toBe(0.5);
    expect(() => parseRatioLimit('1.5')).toThrow(/between 0 and 1/);
    expect(parsePercentLimit('10%')).toBeCloseTo(0.1);
    expect(() => parsePercentLimit('10')).toThrow(/must be a percentage such as 10%/);
    expect(() => parseBudget('max-duration', 300)).toThrow(/must be a string such as "5m"/);
  });
});

describe('checkBudgets on recorded reports', () => {
  const edit = load('edit');
  const fixed = load('after-fix');

  it('max-duration: breached with the figure and the limit, met under it', () => {
    const r = checkBudgets(edit, { maxDurationMs: 1000 });
    expect(r.breaches).toHaveLength(1);
    expect(r.breaches[0]).toMatchObject({ budget: 'max-duration', subject: 'wall time', limit: '1.0s' });
    expect(breachText(r.breaches[0]!)).toMatch(/^budget --max-duration breached: wall time is \d+\.\ds, over the limit of 1\.0s$/);
    expect(checkBudgets(edit, { maxDurationMs: 600_000 }).breaches).toEqual([]);
  });

  it('max-step-duration: one breach per step over it, naming the step', () => {
    const r = checkBudgets(edit, { maxStepDurationMs: 1000 });
    expect(r.breaches.map((b) => b.subject).sort()).toEqual(['step build RUN npm run build', 'step deps RUN npm ci']);
    expect(r.breaches.every((b) => b.stepId !== null)).toBe(true);
  });

  it('min-cache-ratio counts the non-internal steps only', () => {
    expect(cacheRatio(fixed)).toBe(fixed.totals.cached / fixed.totals.steps);
    expect(fixed.steps.filter((s) => s.internal).length).toBeGreaterThan(0);
    const r = checkBudgets(edit, { minCacheRatio: 0.8 });
    expect(r.breaches[0]).toMatchObject({ budget: 'min-cache-ratio', figure: '0.25', limit: '0.80', subject: 'cache ratio (2 of 8 steps cached)' });
    expect(breachText(r.breaches[0]!)).toContain('under the minimum of 0.80');
  });

  it('max-context in decimal bytes', () => {
    expect(checkBudgets(load('cold'), { maxContextBytes: 1000 }).breaches[0]).toMatchObject({ figure: '1.64kB', limit: '1.00kB' });
    expect(checkBudgets(load('cold'), { maxContextBytes: 2000 }).breaches).toEqual([]);
  });

  it('max-regression against a baseline; unchecked without one', () => {
    const slower = checkBudgets(edit, { maxRegression: 0.1 }, fixed);
    expect(slower.breaches[0]).toMatchObject({ budget: 'max-regression', limit: '+10%' });
    expect(slower.breaches[0]!.figure).toMatch(/^\+\d+(\.\d)?%$/);
    expect(checkBudgets(fixed, { maxRegression: 0.1 }, edit).breaches).toEqual([]);
    expect(checkBudgets(edit, { maxRegression: 0.1 }).unchecked[0]).toMatchObject({ budget: 'max-regression' });
  });

  it('a log without a clock leaves time budgets unchecked, not breached', () => {
    const noClock: Report = { ...edit, source: { ...edit.source, format: 'legacy' }, totals: { ...edit.totals, durationMs: null, timedSteps: 0 }, steps: edit.steps.map((s) => ({ ...s, durationMs: null })) };
    const r = checkBudgets(noClock, { maxDurationMs: 1, maxStepDurationMs: 1 });
    expect(r.breaches).toEqual([]);
    expect(r.unchecked.map((u) => u.budget)).toEqual(['max-duration', 'max-step-duration']);
    expect(r.set).toEqual(['max-duration', 'max-step-duration']);
  });

  it('names the budgets that were set, met or not, in flag order', () => {
    expect(checkBudgets(edit, { maxRegression: 0.1, maxContextBytes: 1e9, minCacheRatio: 0 }, fixed).set).toEqual(['min-cache-ratio', 'max-context', 'max-regression']);
    expect(checkBudgets(edit, {}).set).toEqual([]);
  });
});

describe('budgets in .buildlens.json', () => {
  it('reads every budget, and flags win budget by budget', () => {
    const file = validateConfig({ maxDuration: '5m', maxStepDuration: '60s', minCacheRatio: 0.8, maxContext: '200MB', maxRegression: '10%' }, '.buildlens.json');
    expect(file.budgets).toEqual({ maxDurationMs: 300_000, maxStepDurationMs: 60_000, minCacheRatio: 0.8, maxContextBytes: 200_000_000, maxRegression: 0.1 });
    const merged = mergeConfig(DEFAULT_CONFIG, file, { budgets: { maxDurationMs: 1000 } });
    expect(merged.budgets.maxDurationMs).toBe(1000);
    expect(merged.budgets.minCacheRatio).toBe(0.8);
  });

  it('a wrong value is one sentence naming the file and the key', () => {
    expect(() => validateConfig({ maxDuration: '5 minutes' }, '.buildlens.json')).toThrow(ConfigError);
    expect(() => validateConfig({ maxDuration: '5 minutes' }, '.buildlens.json')).toThrow(/^\.buildlens\.json: "maxDuration" must be a duration such as 5m, 90s or 1m30s, not `5 minutes`\.$/);
    expect(() => validateConfig({ maxContext: 5 }, '.buildlens.json')).toThrow(/"maxContext" must be a string such as "200MB"/);
    expect(() => validateConfig({ minCacheRatio: [1] }, '.buildlens.json')).toThrow(/"minCacheRatio" is an array/);
  });
});
