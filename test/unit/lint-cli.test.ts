// `buildlens lint` run in-process on temp projects: the report formats, --diff, --fix, costs from a
// build report, and one-sentence errors with exit 2.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCliIn, type CliRun } from '../run-cli.js';
import type { LintReport } from '../../src/core/report/render-lint.js';

let dir: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function run(argv: string[]): Promise<CliRun> {
  return runCliIn(dir, argv);
}

const SAMPLE = join(process.cwd(), 'samples', 'node-app');
const FIXED = `# A small Node.js service, written the way many are: the whole context is copied before the
# dependency install, so any source edit re-runs \`npm ci\`.
FROM localbase/toolchains AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && sleep 1

FROM localbase/busybox
WORKDIR /srv
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
ENV NODE_ENV=production
CMD ["node", "dist/server.js"]
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'buildlens-lint-cli-'));
  cpSync(SAMPLE, dir, { recursive: true });
  // Keep the sample's unrelated findings out of the way.
  write('.buildlens.json', JSON.stringify({ rules: { 'context-unused-files': 'off' } }));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('buildlens lint', () => {
  it('reports copy-before-install with its proposed lines, and exits 0 on a warning by default', async () => {
    const r = await run(['lint']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning  Dockerfile:5  copy-before-install');
    expect(r.stdout).toContain('`COPY . .` copies the whole build context before `npm ci` (line 6): any edit to a copied file re-runs that step');
    expect(r.stdout).toContain('+ COPY package.json package-lock.json ./');
    expect(r.stdout).toMatch(/1 fixable: --diff shows the rewritten Dockerfile/);
    expect((await run(['lint', '--fail-on', 'warning'])).code).toBe(1);
  });

  it('prints the JSON report', async () => {
    const r = await run(['lint', 'Dockerfile', '--context', '.', '--format', 'json']);
    const report = JSON.parse(r.stdout) as LintReport;
    expect(report).toMatchObject({ schemaVersion: 1, dockerfile: 'Dockerfile', context: '.', build: null, fixable: 1 });
    const f = report.findings.find((x) => x.rule === 'copy-before-install');
    expect(f).toMatchObject({ severity: 'warning', file: 'Dockerfile', line: 5, costMs: null });
    expect(f?.fix?.edits).toHaveLength(2);
  });

  it('--diff prints a patch of the rewritten Dockerfile; --fix writes it, and a second lint finds nothing to fix', async () => {
    const d = await run(['lint', '--diff']);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('--- a/Dockerfile\n+++ b/Dockerfile\n');
    expect(d.stdout).toContain('-COPY . .\n+COPY package.json package-lock.json ./\n RUN npm ci\n+COPY . .\n');
    const f = await run(['lint', '--fix']);
    expect(f.code).toBe(0);
    expect(f.stderr).toMatch(/rewrote Dockerfile: 1 fix applied \(copy-before-install\)/);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(FIXED);
    const again = await run(['lint', '--format', 'json']);
    expect((JSON.parse(again.stdout) as LintReport).findings.filter((x) => x.rule === 'copy-before-install')).toEqual([]);
    expect((await run(['lint', '--diff'])).stdout).toBe('');
  });

  it('takes costs from a build report: the install and every step after it, in its stage and the stages built from it', async () => {
    const rep = await run(['report', 'build.plain.log', '--dockerfile', 'Dockerfile', '--format', 'json', '-o', 'build.json']);
    expect(rep.code).toBe(0);
    const r = await run(['lint', '--report', 'build.json', '--format', 'json']);
    const f = (JSON.parse(r.stdout) as LintReport).findings.find((x) => x.rule === 'copy-before-install');
    // npm ci 3.1s + npm run build 3.1s (the stage-1 steps copy from build but are not built FROM it).
    expect(f?.costMs).toBe(6200);
    const table = await run(['lint', '--report', 'build.json']);
    expect(table.stdout).toContain('copy-before-install  (~6.2s at stake)');
  });

  it('prints SARIF 2.1.0', async () => {
    const r = await run(['lint', '--format', 'sarif']);
    const sarif = JSON.parse(r.stdout) as { version: string; runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string; ruleIndex: number; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
    expect(sarif.version).toBe('2.1.0');
    const run0 = sarif.runs[0]!;
    expect(run0.tool.driver.name).toBe('buildlens');
    const result = run0.results.find((x) => x.ruleId === 'copy-before-install')!;
    expect(result.level).toBe('warning');
    expect(run0.tool.driver.rules[result.ruleIndex]!.id).toBe('copy-before-install');
    expect(result.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'Dockerfile' }, region: { startLine: 5 } });
  });

  it('prints markdown', async () => {
    const r = await run(['lint', '--format', 'markdown']);
    expect(r.stdout.split('\n')[0]).toMatch(/^\*\*buildlens lint\*\* `Dockerfile`: \d+ findings? \(1 warning(, \d+ info)?\) · 1 fixable/);
    expect(r.stdout).toContain('- **warning** `Dockerfile:5` `copy-before-install`');
    // The composed fix as a diff, folded.
    expect(r.stdout).toMatch(/<details>\n<summary>The Dockerfile with the fix applied<\/summary>\n\n```diff\n--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n/);
    expect(r.stdout).toContain('```\n  fix: Copy package.json, package-lock.json');
  });

  it('says in one sentence what is wrong with the input, exit 2', async () => {
    const missing = await run(['lint', 'nope/Dockerfile']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('buildlens: The Dockerfile nope/Dockerfile does not exist: check the path.\n');
    const badFormat = await run(['lint', '--format', 'xml']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/`--format` must be table, json, markdown or sarif, not `xml`/);
    write('notjson.json', 'hello');
    const badReport = await run(['lint', '--report', 'notjson.json']);
    expect(badReport.code).toBe(2);
    expect(badReport.stderr).toMatch(/notjson.json is not JSON/);
    expect((await run(['lint', '--diff', '--fix'])).code).toBe(2);
    write('empty.Dockerfile', '# nothing\n');
    expect((await run(['lint', 'empty.Dockerfile'])).stderr).toMatch(/has no FROM instruction/);
  });

  it('has its help', async () => {
    const r = await run(['help', 'lint']);
    expect(r.stdout).toContain('buildlens lint [DOCKERFILE] [--context DIR] [--report BUILD.json]');
    expect((await run(['lint', '--help'])).stdout).toBe(r.stdout);
  });
});
