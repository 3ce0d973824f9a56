// The CLI run in-process with fake streams. Tests marked "real parsers" read the recorded logs and
// need the plain parser (src/core/parse/plain.ts) to be the real one.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli, type CliIO } from '../../src/cli/main.js';
import { EXIT, Interrupted, buildExitCode, reportExitCode } from '../../src/cli/exit-codes.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const recorded = (name: string) => join(repo, 'test', 'fixtures', 'recorded', name);
const COLD_PLAIN = recorded('node-app.plain.cold.log');
const FAIL_PLAIN = recorded('fail.plain.log');
const DOCKERFILE = join(repo, 'samples', 'node-app', 'Dockerfile');
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

interface RunOptions {
  stdin?: string | NodeJS.ReadableStream;
  env?: Record<string, string | undefined>;
  cwd?: string;
  tty?: boolean;
  columns?: number;
  signal?: AbortSignal;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const stdin = typeof opts.stdin === 'string' || opts.stdin === undefined
    ? Readable.from([Buffer.from(opts.stdin ?? '')])
    : opts.stdin;
  const io: CliIO = {
    stdout: { write: (s: string) => { stdout += s; }, isTTY: opts.tty ?? false, columns: opts.columns },
    stderr: { write: (s: string) => { stderr += s; }, isTTY: false },
    stdin,
    env: opts.env ?? {},
    cwd: opts.cwd ?? repo,
    signal: opts.signal,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A user error: exit 2, nothing on stdout, one line on stderr, no stack trace. */
function expectOneSentence(r: RunResult, message: RegExp): void {
  expect(r.code).toBe(EXIT.USAGE);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(/^buildlens: /);
}

let tmp = '';
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'buildlens-cli-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('help and version', () => {
  it('--help prints the usage on stdout and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage\n {2}buildlens <command>/);
      expect(r.stdout).toContain('report <file|->');
      expect(r.stdout).toContain('Examples');
      expect(r.stderr).toBe('');
    }
  });

  it('documents every report flag', async () => {
    for (const argv of [['help', 'report'], ['report', '--help'], ['report', '-h']]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      for (const flag of ['--dockerfile', '--format', '-o, --output', '--fail-on', '--no-color', '--config', '-h, --help']) expect(r.stdout).toContain(flag);
      expect(r.stdout).toMatch(/FAILED build still gets its full report/);
    }
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('no command prints the help on stderr and exits 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no command given');
  });
});

describe('usage errors', () => {
  it('an unknown flag: one sentence, exit 2', async () => {
    const r = await run(['report', FAIL_PLAIN, '--frmat', 'json']);
    expectOneSentence(r, /unknown option `--frmat` for `buildlens report`; run `buildlens --help`/);
  });

  it('an unknown global flag', async () => {
    expectOneSentence(await run(['--verbose']), /unknown option `--verbose`.*run `buildlens --help`/);
  });

  it('an unknown command, with a suggestion', async () => {
    expectOneSentence(await run(['repot', 'x.log']), /unknown command `repot` \(did you mean `report`\?\)/);
    expectOneSentence(await run(['frobnicate']), /unknown command `frobnicate`: the commands are report, build, context, lint, compare, why and help;/);
  });

  it('a flag without its value, a bad value, a missing or extra file', async () => {
    expectOneSentence(await run(['report', FAIL_PLAIN, '--format']), /option `--format` needs a value/);
    expectOneSentence(await run(['report', FAIL_PLAIN, '--format', 'xml']), /`--format` must be table, json, markdown or sarif, not `xml`/);
    expectOneSentence(await run(['report', FAIL_PLAIN, '--fail-on', 'fatal']), /`--fail-on` must be error, warning, info or none, not `fatal`/);
    expectOneSentence(await run(['report', FAIL_PLAIN, '--no-color=yes']), /option `--no-color` takes no value/);
    expectOneSentence(await run(['report']), /`report` needs a log file, or `-` to read the log from stdin/);
    expectOneSentence(await run(['report', 'a.log', 'b.log']), /`report` takes one log file, but got 2/);
    expectOneSentence(await run(['help', 'nope']), /there is no command `nope`/);
  });
});

describe('input errors', () => {
  it('a missing file', async () => {
    expectOneSentence(await run(['report', 'no-such.log']), /The log file no-such\.log does not exist: check the path, or pass - to read the log from stdin\./);
  });

  it('a directory', async () => {
    expectOneSentence(await run(['report', tmp]), /is a directory, not a log file/);
  });

  it('a binary file, with the parser\'s sentence', async () => {
    const file = join(tmp, 'image.png');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    expectOneSentence(await run(['report', file]), /This file is binary, not a docker build log/);
  });

  it('an empty file, with the parser\'s sentence', async () => {
    const file = join(tmp, 'empty.log');
    writeFileSync(file, '');
    expectOneSentence(await run(['report', file]), /The log is empty/);
  });

  it('a text file that is not a build log', async () => {
    const file = join(tmp, 'notes.txt');
    writeFileSync(file, 'hello\nworld\n');
    expectOneSentence(await run(['report', file]), /This is not a docker build log/);
  });

  it('an empty stdin', async () => {
    expectOneSentence(await run(['report', '-'], { stdin: '' }), /The log is empty/);
  });

  it('a stdin that is a terminal', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    expectOneSentence(await run(['report', '-'], { stdin }), /stdin is a terminal: pipe a log in/);
  });

  it('a missing Dockerfile, or a file that is not one', async () => {
    expectOneSentence(await run(['report', FAIL_PLAIN, '--dockerfile', join(tmp, 'Dockerfile')]), /The Dockerfile .* does not exist: check the path given to --dockerfile\./);
    const notDockerfile = join(tmp, 'README.md');
    writeFileSync(notDockerfile, '# hello\n');
    expectOneSentence(await run(['report', FAIL_PLAIN, '--dockerfile', notDockerfile]), /has no FROM instruction/);
  });

  it('an output file that cannot be written', async () => {
    expectOneSentence(await run(['report', FAIL_PLAIN, '-o', join(tmp, 'no', 'such', 'dir', 'r.md')]), /Cannot write the report to .* \(its directory does not exist\)/);
  });

  it('a bad config file', async () => {
    writeFileSync(join(tmp, '.buildlens.json'), '{"failOn": "fatal"}');
    expectOneSentence(await run(['report', FAIL_PLAIN], { cwd: tmp }), /\.buildlens\.json: "failOn" is "fatal"/);
    expectOneSentence(await run(['report', FAIL_PLAIN, '--config', 'missing.json']), /The config file missing\.json does not exist/);
  });
});

describe('report', () => {
  it('reads stdin with -', async () => {
    const r = await run(['report', '-', '--format', 'json'], { stdin: readFileSync(FAIL_PLAIN, 'utf8') });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
  });

  it('reads stdin chunk by chunk', async () => {
    const text = readFileSync(COLD_PLAIN);
    const chunks = [text.subarray(0, 7), text.subarray(7, 500), text.subarray(500)];
    const a = await run(['report', '-', '--format', 'json'], { stdin: Readable.from(chunks) });
    const b = await run(['report', COLD_PLAIN, '--format', 'json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('--format json is the versioned report', async () => {
    const r = await run(['report', FAIL_PLAIN, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('buildlens');
    expect(report.source.format).toBe('plain');
    expect(Array.isArray(report.steps)).toBe(true);
    expect(report.dockerfile).toBeNull();
  });

  it('-o FILE writes the report there and nothing to stdout', async () => {
    const out = join(tmp, 'report.md');
    const r = await run(['report', FAIL_PLAIN, '--format', 'markdown', '-o', out], { tty: true });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toMatch(/^\*\*Build/);
  });

  it('--output FILE relative to cwd, never coloured', async () => {
    const r = await run(['report', FAIL_PLAIN, '--output', 'r.txt'], { cwd: tmp, tty: true });
    expect(r.code).toBe(0);
    expect(readFileSync(join(tmp, 'r.txt'), 'utf8')).not.toMatch(ANSI);
  });

  it('colours only a TTY, and not with NO_COLOR, TERM=dumb or --no-color', async () => {
    expect((await run(['report', FAIL_PLAIN], { tty: true })).stdout).toMatch(ANSI);
    expect((await run(['report', FAIL_PLAIN], { tty: false })).stdout).not.toMatch(ANSI);
    expect((await run(['report', FAIL_PLAIN], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await run(['report', FAIL_PLAIN], { tty: true, env: { TERM: 'dumb' } })).stdout).not.toMatch(ANSI);
    expect((await run(['report', FAIL_PLAIN, '--no-color'], { tty: true })).stdout).not.toMatch(ANSI);
  });

  it('a config file sets the format and colour; flags win over it', async () => {
    writeFileSync(join(tmp, '.buildlens.json'), JSON.stringify({ format: 'json', color: false }));
    const r = await run(['report', FAIL_PLAIN], { cwd: tmp, tty: true });
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
    const table = await run(['report', FAIL_PLAIN, '--format', 'table'], { cwd: tmp, tty: true });
    expect(table.stdout).not.toMatch(ANSI);
    expect(table.stdout).toContain('Wall time');
  });

  it('--config names the file; a rule that does not exist is refused', async () => {
    writeFileSync(join(tmp, 'ci.json'), JSON.stringify({ rules: { 'no-such-rule': 'off' } }));
    expectOneSentence(await run(['report', FAIL_PLAIN, '--config', join(tmp, 'ci.json')]), /sets a rule that does not exist \("no-such-rule"\)/);
  });

  it('fits the table in the terminal width: stdout columns, else COLUMNS, else 100', async () => {
    const narrow = await run(['report', FAIL_PLAIN], { tty: true, columns: 60, env: { NO_COLOR: '1' } });
    for (const line of narrow.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    const env80 = await run(['report', COLD_PLAIN, '--dockerfile', DOCKERFILE], { env: { COLUMNS: '80' } });
    for (const line of env80.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const wide = await run(['report', FAIL_PLAIN]);
    for (const line of wide.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('--fail-on exits 1 on a finding at or above the level, 0 below it', async () => {
    const dockerfile = join(tmp, 'Dockerfile');
    writeFileSync(dockerfile, 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n');
    const log = join(tmp, 'build.log');
    writeFileSync(log, '#1 [1/3] FROM docker.io/library/debian\n#1 DONE 0.1s\n');
    const json = await run(['report', log, '--dockerfile', dockerfile, '--format', 'json']);
    expect(json.code).toBe(0);
    const findings = JSON.parse(json.stdout).findings as Array<{ rule: string; severity: string; file: string; line: number }>;
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'apt-update-alone', severity: 'warning', file: dockerfile, line: 2 }),
      expect.objectContaining({ rule: 'floating-base-image', severity: 'info', file: dockerfile, line: 1 }),
      expect.objectContaining({ rule: 'apt-no-recommends', severity: 'info', file: dockerfile, line: 3 }),
      expect.objectContaining({ rule: 'missing-cache-mount', severity: 'info', file: dockerfile, line: 3 }),
    ]);
    expect((await run(['report', log, '--dockerfile', dockerfile, '--fail-on', 'warning'])).code).toBe(1);
    expect((await run(['report', log, '--dockerfile', dockerfile, '--fail-on', 'info'])).code).toBe(1);
    expect((await run(['report', log, '--dockerfile', dockerfile, '--fail-on', 'error'])).code).toBe(0);
    expect((await run(['report', log, '--dockerfile', dockerfile, '--fail-on', 'none'])).code).toBe(0);
    writeFileSync(join(tmp, '.buildlens.json'), JSON.stringify({ failOn: 'warning', rules: { 'apt-update-alone': 'off' } }));
    expect((await run(['report', log, '--dockerfile', dockerfile], { cwd: tmp })).code).toBe(0);
  });

  it('stops with 130/143 when interrupted', async () => {
    const controller = new AbortController();
    const stdin = new PassThrough();
    stdin.write('#1 [1/2] FROM busybox\n');
    const pending = run(['report', '-'], { stdin, signal: controller.signal });
    setTimeout(() => controller.abort(new Interrupted('SIGTERM')), 20);
    expect((await pending).code).toBe(143);
    const aborted = new AbortController();
    aborted.abort(new Interrupted('SIGINT'));
    expect((await run(['report', FAIL_PLAIN], { signal: aborted.signal })).code).toBe(130);
  });
});

describe('report on recorded logs (real parsers)', () => {
  it('reads the cold plain log: `[build 4/5] RUN npm ci` DONE in 3.1s, mapped to line 6', async () => {
    const r = await run(['report', COLD_PLAIN, '--dockerfile', DOCKERFILE, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const npmCi = report.steps.find((s: { name: string }) => s.name === '[build 4/5] RUN npm ci');
    expect(npmCi).toMatchObject({ status: 'done', durationMs: 3100, stage: 'build', index: 4, total: 5, line: 6, internal: false });
    expect(report.totals).toMatchObject({ steps: 9, cached: 0, executed: 9, errors: 0 });
    expect(report.context).toEqual({ transferredBytes: 1060 });
    expect(report.slowest[0]).toBe(npmCi.id);
  });

  it('shows the cold plain log as a table', async () => {
    const r = await run(['report', COLD_PLAIN, '--dockerfile', DOCKERFILE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| +11 \| +6 \| build +\| RUN npm ci +\| DONE +\| +3\.1s \|/);
    expect(r.stdout).toMatch(/Wall time +unknown \(plain logs carry no clock\)/);
    expect(r.stdout).toMatch(/Context +1\.06kB transferred/);
  });

  it('reports a failed build in full and exits 0', async () => {
    const r = await run(['report', FAIL_PLAIN, '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^\*\*Build failed\*\* at `\[2\/3\] RUN echo "compiling"/);
    expect(r.stdout).toContain('<summary>Error excerpt</summary>');
    expect(r.stdout).toContain('Dockerfile:2');
  });
});

describe('exit codes', () => {
  it('report: 1 only when --fail-on trips', () => {
    const findings = [{ severity: 'warning' as const }];
    expect(reportExitCode(findings, 'none')).toBe(0);
    expect(reportExitCode(findings, 'error')).toBe(0);
    expect(reportExitCode(findings, 'warning')).toBe(1);
    expect(reportExitCode(findings, 'info')).toBe(1);
    expect(reportExitCode([], 'info')).toBe(0);
  });

  it('build: docker\'s own non-zero exit code wins over findings and budgets', () => {
    expect(buildExitCode({ dockerExitCode: 0, failOnTripped: false, budgetBreached: false })).toBe(0);
    expect(buildExitCode({ dockerExitCode: 0, failOnTripped: true, budgetBreached: false })).toBe(1);
    expect(buildExitCode({ dockerExitCode: 0, failOnTripped: false, budgetBreached: true })).toBe(1);
    expect(buildExitCode({ dockerExitCode: 17, failOnTripped: true, budgetBreached: true })).toBe(17);
    expect(buildExitCode({ dockerExitCode: 1, failOnTripped: false, budgetBreached: true })).toBe(1);
    expect(buildExitCode({ dockerExitCode: null, dockerSignal: 'SIGKILL', failOnTripped: true, budgetBreached: false })).toBe(137);
  });
});
