// `buildlens compare` and the budget flags through the CLI, in-process (test/run-cli.ts), on reports
// and logs recorded from real builds (test/fixtures/ci-reports): output, breaches, exit codes.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCliIn } from '../run-cli.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fx = (name: string) => join('test', 'fixtures', 'ci-reports', name);
const run = (argv: string[], env: Record<string, string> = {}) => runCliIn(repo, argv, { env });

function oneSentence(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^buildlens: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('buildlens compare', () => {
  it('prints the comparison table on stdout and exits 0', async () => {
    const r = await run(['compare', fx('ci-app.before-fix.json'), fx('ci-app.after-fix.json')]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/DONE -> CACHED +deps: RUN npm ci/);
    expect(r.stdout).toMatch(/findings +1 +0 +0 new, 1 fixed/);
  });

  it('--format json and --format markdown', async () => {
    const json = await run(['compare', fx('ci-app.cold.json'), fx('ci-app.edit.json'), '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'buildlens-compare', before: { file: fx('ci-app.cold.json') } });
    const md = await run(['compare', fx('ci-app.cold.json'), fx('ci-app.edit.json'), '--format=markdown']);
    expect(md.stdout).toMatch(/^\*\*Compared with `/);
  });

  it('--max-regression on the AFTER side: a breach prints budget, figure and limit, exit 1', async () => {
    const r = await run(['compare', fx('ci-app.after-fix.json'), fx('ci-app.before-fix.json'), '--max-regression', '10%']);
    expect(r.code).toBe(EXIT.FINDINGS);
    expect(r.stderr).toMatch(/^buildlens: budget --max-regression breached: wall time change \(\d+\.\ds -> \d+\.\ds\) is \+\d+(\.\d)?%, over the limit of \+10%\.\n$/);
    expect(r.stdout).toContain('budget --max-regression breached');
    const faster = await run(['compare', fx('ci-app.before-fix.json'), fx('ci-app.after-fix.json'), '--max-regression', '10%']);
    expect(faster.code).toBe(EXIT.OK);
    expect(faster.stdout).toContain('all budgets met');
  });

  it('other budgets and --fail-on apply to AFTER', async () => {
    const r = await run(['compare', fx('ci-app.after-fix.json'), fx('ci-app.cold.json'), '--min-cache-ratio', '0.5', '--max-context', '1kB']);
    expect(r.code).toBe(EXIT.FINDINGS);
    expect(r.stderr).toContain('budget --min-cache-ratio breached: cache ratio (2 of 8 steps cached) is 0.25, under the minimum of 0.50.');
    expect(r.stderr).toContain('budget --max-context breached: build context is 1.64kB, over the limit of 1.00kB.');
    expect((await run(['compare', fx('ci-app.cold.json'), fx('ci-app.after-fix.json'), '--fail-on', 'warning'])).code).toBe(EXIT.OK);
    expect((await run(['compare', fx('ci-app.after-fix.json'), fx('ci-app.cold.json'), '--fail-on', 'warning'])).code).toBe(EXIT.FINDINGS);
  });

  it('refuses a report of another schemaVersion with one sentence, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'buildlens-compare-'));
    try {
      const old = JSON.parse(readFileSync(join(repo, fx('ci-app.edit.json')), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'v2.json'), JSON.stringify({ ...old, schemaVersion: 2 }));
      writeFileSync(join(dir, 'bad.json'), '{ not json');
      const r = await run(['compare', join(dir, 'v2.json'), fx('ci-app.edit.json')]);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.stdout).toBe('');
      oneSentence(r.stderr);
      expect(r.stderr).toContain('is a report of schemaVersion 2, but this buildlens compares schemaVersion 1');
      const bad = await run(['compare', fx('ci-app.edit.json'), join(dir, 'bad.json')]);
      expect(bad.code).toBe(EXIT.USAGE);
      oneSentence(bad.stderr);
      expect(bad.stderr).toContain('is not JSON');
      const missing = await run(['compare', fx('ci-app.edit.json'), 'nope.json']);
      expect(missing.code).toBe(EXIT.USAGE);
      oneSentence(missing.stderr);
      expect(missing.stderr).toContain('The report nope.json does not exist: check the path of the AFTER report.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors: argument count, a budget value written wrong', async () => {
    const one = await run(['compare', fx('ci-app.edit.json')]);
    expect(one.code).toBe(EXIT.USAGE);
    expect(one.stderr).toContain('`compare` takes two JSON reports, BEFORE and AFTER, but got 1');
    const bad = await run(['compare', fx('ci-app.edit.json'), fx('ci-app.edit.json'), '--max-regression', '10']);
    expect(bad.code).toBe(EXIT.USAGE);
    oneSentence(bad.stderr);
    expect(bad.stderr).toContain('`--max-regression` must be a percentage such as 10%, not `10`');
  });

  it('help', async () => {
    const r = await run(['help', 'compare']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/^Usage\n {2}buildlens compare BEFORE\.json AFTER\.json/);
  });
});

describe('budgets on buildlens report', () => {
  const log = fx('ci-app.before-fix.rawjson.log');

  it('a breached budget: the report on stdout, each breach on stderr, exit 1', async () => {
    const r = await run(['report', log, '--max-step-duration', '1s', '--max-duration', '1m']);
    expect(r.code).toBe(EXIT.FINDINGS);
    expect(r.stdout).toContain('RUN npm ci');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^buildlens: budget --max-step-duration breached: step (deps|build) RUN npm (ci|run build) is \d\.\ds, over the limit of 1\.0s\.$/);
  });

  it('budgets met: exit 0 and nothing on stderr', async () => {
    const r = await run(['report', log, '--max-duration', '5m', '--min-cache-ratio', '0.1', '--max-context', '200MB']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toBe('');
  });

  it('--baseline FILE with --max-regression', async () => {
    const r = await run(['report', log, '--baseline', fx('ci-app.after-fix.json'), '--max-regression', '10%', '--format', 'json']);
    expect(r.code).toBe(EXIT.FINDINGS);
    expect(r.stderr).toMatch(/budget --max-regression breached: wall time change/);
    // The JSON report records what the run was held to, and the result.
    const json = JSON.parse(r.stdout) as { budgets: { set: string[]; breaches: Array<{ budget: string; figure: string; limit: string }>; unchecked: unknown[] } | null };
    expect(json.budgets).toEqual({ set: ['max-regression'], breaches: [expect.objectContaining({ budget: 'max-regression', limit: '+10%' })], unchecked: [] });
    expect(json.budgets!.breaches[0]!.figure).toMatch(/^\+\d+(\.\d)?%$/);
    const noBudgets = await run(['report', log, '--format', 'json']);
    expect((JSON.parse(noBudgets.stdout) as { budgets: unknown }).budgets).toBeNull();
    const missing = await run(['report', log, '--baseline', 'nope.json', '--max-regression', '10%']);
    expect(missing.code).toBe(EXIT.USAGE);
    expect(missing.stdout).toBe('');
    oneSentence(missing.stderr);
    expect(missing.stderr).toContain('check the path given to --baseline');
    const none = await run(['report', log, '--max-regression', '10%']);
    expect(none.code).toBe(EXIT.OK);
    expect(none.stderr).toContain('budget --max-regression not checked: there is no baseline');
  });

  it('budgets from .buildlens.json; a flag wins over the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'buildlens-budget-config-'));
    try {
      writeFileSync(join(dir, '.buildlens.json'), JSON.stringify({ minCacheRatio: 0.9, maxStepDuration: '10s' }));
      const abs = join(repo, log);
      const fromFile = await runCliIn(dir, ['report', abs]);
      expect(fromFile.code).toBe(EXIT.FINDINGS);
      expect(fromFile.stderr).toContain('budget --min-cache-ratio breached');
      const flagWins = await runCliIn(dir, ['report', abs, '--min-cache-ratio', '0.1']);
      expect(flagWins.code).toBe(EXIT.OK);
      writeFileSync(join(dir, '.buildlens.json'), JSON.stringify({ maxContext: '2 elephants' }));
      const bad = await runCliIn(dir, ['report', abs]);
      expect(bad.code).toBe(EXIT.USAGE);
      oneSentence(bad.stderr);
      expect(bad.stderr).toContain('"maxContext" must be a size such as 200MB');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--fail-on and budgets together: either gives 1', async () => {
    const r = await run(['report', log, '--fail-on', 'warning', '--max-duration', '5m'], { CI: 'true' });
    expect(r.code).toBe(EXIT.FINDINGS);
    expect(r.stdout).toContain('no-cache-from-on-ci');
    expect(r.stderr).toBe('');
  });
});

describe('remote cache in the report table', () => {
  it('names the imported cache and the steps it served', async () => {
    const r = await run(['report', fx('ci-app.cache-from.rawjson.log')]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/\nCache +imported from buildlens-ci-fixture-cache in \d+\.\ds \(served 7 steps\)\n/);
    const none = await run(['report', fx('ci-app.before-fix.rawjson.log')]);
    expect(none.stdout).not.toMatch(/\nCache /);
  });
});
