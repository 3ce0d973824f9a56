// `buildlens report` on logs that hold several builds: a heading per build in table and markdown,
// the last build in JSON, every build as a JSON array with --all. The CLI runs in-process.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli, type CliIO } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (path: string): string => join(repo, 'test', 'fixtures', path);
const THREE_PLAIN = fixture('recorded/three-builds.plain.log');
const COMPOSE_V1 = fixture('compose/compose-v1-legacy.log');
const ONE_BUILD = fixture('recorded/node-app.plain.cold.log');

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], stdin = ''): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => { stdout += s; }, isTTY: false },
    stderr: { write: (s: string) => { stderr += s; }, isTTY: false },
    stdin: Readable.from([Buffer.from(stdin)]),
    env: {},
    cwd: repo,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

interface JsonReport {
  schemaVersion: number;
  error: string | null;
  steps: Array<{ id: string; status: string; target: string | null }>;
}

describe('report on a log of several builds', () => {
  it('table: every build in turn, under a heading', async () => {
    const r = await run(['report', THREE_PLAIN]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toBe('');
    const headings = r.stdout.split('\n').filter((l) => /^Build \d+ of \d+/.test(l));
    expect(headings).toEqual(['Build 1 of 3', 'Build 2 of 3', 'Build 3 of 3']);
    expect(r.stdout).toContain('Build 1 of 3\n============\n');
    // Only the third build failed.
    const third = r.stdout.slice(r.stdout.indexOf('Build 3 of 3'));
    expect(third).toContain('about to fail');
    expect(r.stdout.slice(0, r.stdout.indexOf('Build 3 of 3'))).not.toContain('about to fail');
  });

  it('table and markdown headings name the compose service', async () => {
    const table = await run(['report', COMPOSE_V1]);
    expect(table.stdout).toContain('Build 1 of 2 (target web)\n');
    expect(table.stdout).toContain('Build 2 of 2 (target api)\n');
    const md = await run(['report', COMPOSE_V1, '--format', 'markdown']);
    expect(md.code).toBe(EXIT.OK);
    expect(md.stdout.startsWith('## Build 1 of 2 (target web)\n\n')).toBe(true);
    expect(md.stdout).toContain('\n## Build 2 of 2 (target api)\n\n**Build failed**');
  });

  it('json: the last build only, as before', async () => {
    const r = await run(['report', THREE_PLAIN, '--format', 'json']);
    expect(r.code).toBe(EXIT.OK);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(Array.isArray(report)).toBe(false);
    expect(report.schemaVersion).toBe(1);
    expect(report.steps).toHaveLength(5);
    expect(report.error).toMatch(/exit code: 5$/);
  });

  it('json --all: an array of every build, in order', async () => {
    const r = await run(['report', THREE_PLAIN, '--format', 'json', '--all']);
    expect(r.code).toBe(EXIT.OK);
    const reports = JSON.parse(r.stdout) as JsonReport[];
    expect(reports).toHaveLength(3);
    expect(reports.map((x) => x.steps.length)).toEqual([9, 9, 5]);
    expect(reports.map((x) => x.error === null)).toEqual([true, true, false]);
    expect(reports.every((x) => x.schemaVersion === 1)).toBe(true);
  });

  it('json --all carries the targets of compose builds, also from stdin', async () => {
    const r = await run(['report', '-', '--format', 'json', '--all'], readFileSync(COMPOSE_V1, 'utf8'));
    expect(r.code).toBe(EXIT.OK);
    const reports = JSON.parse(r.stdout) as JsonReport[];
    expect(reports.map((x) => [...new Set(x.steps.map((s) => s.target))])).toEqual([['web'], ['api']]);
    expect(reports[1]!.steps.map((s) => s.status)).toEqual(['done', 'cached', 'error']);
  });

  it('json --all on a one-build log: an array of one', async () => {
    const r = await run(['report', ONE_BUILD, '--format', 'json', '--all']);
    const reports = JSON.parse(r.stdout) as JsonReport[];
    expect(Array.isArray(reports)).toBe(true);
    expect(reports).toHaveLength(1);
    const single = JSON.parse((await run(['report', ONE_BUILD, '--format', 'json'])).stdout) as JsonReport;
    expect(reports[0]).toEqual(single);
  });

  it('a one-build log gets no heading; --all changes nothing in table output', async () => {
    const plain = await run(['report', ONE_BUILD]);
    expect(plain.stdout).not.toMatch(/^Build \d+ of \d+/m);
    const withAll = await run(['report', ONE_BUILD, '--all']);
    expect(withAll.stdout).toBe(plain.stdout);
  });

  it('--all with -o writes the array to the file, nothing to stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'buildlens-multi-'));
    try {
      const out = join(dir, 'reports.json');
      const r = await run(['report', THREE_PLAIN, '--format', 'json', '--all', '-o', out]);
      expect(r.code).toBe(EXIT.OK);
      expect(r.stdout).toBe('');
      expect((JSON.parse(readFileSync(out, 'utf8')) as unknown[]).length).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the help of report documents --all', async () => {
    const r = await run(['report', '--help']);
    expect(r.stdout).toContain('--all');
    expect(r.stdout).toContain('Build 2 of 3');
  });
});
