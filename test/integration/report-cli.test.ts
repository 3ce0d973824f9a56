// `buildlens report` on real builds of the local engine, run as a user runs it: the built CLI, a log
// piped on stdin or saved to a file.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { describeDocker, dockerBuild } from './docker.js';

const BUILD_TIMEOUT = 300_000;
const cli = join(process.cwd(), 'bin', 'buildlens.js');

interface JsonStep { name: string; status: string; line: number | null; durationMs: number | null; internal: boolean; output: string[]; error: string | null }
interface JsonReport { schemaVersion: number; source: { format: string }; steps: JsonStep[]; totals: { durationMs: number | null; steps: number; errors: number; executed: number }; error: string | null; errorExcerpt: string[] }

describeDocker('buildlens report on real builds', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-report-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports a failed plain build read from stdin, with the failing Dockerfile line', async () => {
    writeFileSync(join(dir, 'Dockerfile'), [
      'FROM localbase/busybox',
      `RUN echo ${randomUUID()}`,
      'RUN echo "compiling" && sleep 1 && echo "main.c:3: error: expected ;" >&2 && exit 3',
      'RUN echo never',
      '',
    ].join('\n'));
    const build = await dockerBuild(dir, 'plain');
    expect(build.exitCode).not.toBe(0);
    const r = await execa('node', [cli, 'report', '-', '--format', 'json', '--dockerfile', join(dir, 'Dockerfile')], { input: build.output, reject: false });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.source.format).toBe('plain');
    const failed = report.steps.find((s) => s.status === 'error');
    expect(failed?.line).toBe(3);
    expect(failed?.output).toContain('main.c:3: error: expected ;');
    expect(failed?.error).toMatch(/exit code: 3/);
    expect(report.error).toMatch(/exit code: 3/);
    expect(report.errorExcerpt.join('\n')).toContain('Dockerfile:3');
    expect(report.totals.errors).toBe(1);
    // `RUN echo never` never started: BuildKit does not print it, so it is not a step.
    expect(report.steps.some((s) => s.name.includes('echo never'))).toBe(false);
  }, BUILD_TIMEOUT);

  it('reports a rawjson build saved to a file with its wall time and every step mapped', async () => {
    writeFileSync(join(dir, 'Dockerfile'), [
      'FROM localbase/busybox AS base',
      `RUN echo ${randomUUID()} > /id`,
      'FROM base AS work',
      'RUN sleep 1',
      'FROM localbase/busybox',
      'COPY --from=work /id /id',
      '',
    ].join('\n'));
    const build = await dockerBuild(dir, 'rawjson');
    expect(build.exitCode).toBe(0);
    const log = join(dir, 'build.log');
    writeFileSync(log, build.output);
    const r = await execa('node', [cli, 'report', log, '--format', 'json', '--dockerfile', join(dir, 'Dockerfile')], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.source.format).toBe('rawjson');
    const user = report.steps.filter((s) => !s.internal);
    // Lines 1 and 5 name the same base image: one LLB vertex, which BuildKit shows once, under the
    // name of whichever stage it reached first (either, from run to run).
    const lines = user.map((s) => s.line).sort((a, b) => a! - b!);
    expect([[1, 2, 4, 6], [2, 4, 5, 6]]).toContainEqual(lines);
    expect(report.totals.durationMs).toBeGreaterThanOrEqual(1000);
    const sleep = user.find((s) => s.line === 4);
    expect(sleep?.durationMs).toBeGreaterThanOrEqual(950);

    // The same log as a table and as markdown: the slow step is named, nothing is coloured off a TTY.
    const table = await execa('node', [cli, 'report', log, '--dockerfile', join(dir, 'Dockerfile')]);
    expect(table.stdout).toMatch(/RUN sleep 1/);
    expect(table.stdout).not.toMatch(/\u001b\[/);
    const md = await execa('node', [cli, 'report', log, '--format', 'markdown']);
    expect(md.stdout).toMatch(/^\*\*Build /);
  }, BUILD_TIMEOUT);
});
