// The same project built with --progress=plain, --progress=rawjson and the legacy builder, cold and
// after a source edit, on the local engine: every format must give the same steps and cache states,
// and the same sleep-bound step must last the same within 0.3 s.
import { mkdtempSync, mkdirSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { describeDocker, dockerBuild } from './docker.js';
import { parseLog, LogParser } from '../../src/core/parse/detect.js';
import { userSteps, type Build, type SourceFormat } from '../../src/core/model.js';


const BUILD_TIMEOUT = 300_000;

/** A project of its own per format, so that one format's build never warms the next one's cache. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'buildlens-formats-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'main.txt'), 'hello\n');
  // The nonce makes the first build cold without pruning the shared builder cache.
  writeFileSync(join(dir, 'Dockerfile'), [
    'FROM localbase/busybox',
    `RUN echo ${randomUUID()} > /nonce`,
    'WORKDIR /app',
    'COPY src/ ./src/',
    'RUN sleep 2 && echo slept',
    'RUN cat src/main.txt',
    '',
  ].join('\n'));
  return dir;
}

/** What must agree across formats: each counted step's place, text and cache state. */
function shape(build: Build): string[] {
  return userSteps(build)
    .filter((s) => s.index !== null)
    .sort((a, b) => (a.stage ?? '').localeCompare(b.stage ?? '') || a.index! - b.index!)
    .map((s) => `${s.stage ?? '-'} ${s.index}/${s.total} ${s.instruction} ${s.status}`.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, 'NONCE'));
}

function sleepStep(build: Build) {
  const step = userSteps(build).find((s) => s.instruction === 'RUN sleep 2 && echo slept');
  if (!step) throw new Error(`no sleep step in ${build.format} build`);
  return step;
}

/** Stream a legacy build through the parser line by line, with arrival times, as `build` will. */
async function streamLegacy(dir: string): Promise<Build> {
  const parser = new LogParser();
  const proc = execa('docker', ['build', '--network=none', dir], { env: { DOCKER_BUILDKIT: '0' }, all: true, reject: false, buffer: false });
  proc.all!.setEncoding('utf8');
  for await (const chunk of proc.all!) parser.write(chunk as string, Date.now());
  await proc;
  return parser.end();
}

describeDocker('the same build read from plain, rawjson and legacy output', () => {
  const results: Record<SourceFormat, { cold: Build; edit: Build }> = {} as never;
  const dirs: string[] = [];
  let dir = '';

  beforeAll(async () => {
    for (const format of ['plain', 'rawjson', 'legacy'] as const) {
      dir = makeProject();
      dirs.push(dir);
      const cold = await dockerBuild(dir, format);
      expect(cold.exitCode).toBe(0);
      appendFileSync(join(dir, 'src', 'main.txt'), `edit ${format}\n`);
      const edit = await dockerBuild(dir, format);
      expect(edit.exitCode).toBe(0);
      results[format] = { cold: parseLog(cold.output), edit: parseLog(edit.output) };
    }
  }, BUILD_TIMEOUT);

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('detects each format', () => {
    expect(results.plain.cold.format).toBe('plain');
    expect(results.rawjson.cold.format).toBe('rawjson');
    expect(results.legacy.cold.format).toBe('legacy');
    expect(results.legacy.cold.builder.kind).toBe('legacy');
  });

  it('gives the same steps and cache states, cold and after an edit', () => {
    // BuildKit itself reports a local base image as `DONE 0.0s` or `CACHED` depending on timing
    // (seen in both plain and rawjson on engine 26), and a base image vertex shared with a
    // concurrent build on the same engine is printed once, under that build's name (`[1/5] FROM …`
    // of another Dockerfile): so the FROM is checked apart, by its image only, and the other steps
    // are compared by place, text and state.
    const isFrom = (line: string) => / FROM /.test(line);
    const rest = (b: Build) => shape(b).filter((l) => !isFrom(l));
    const statuses = (b: Build) => rest(b).map((s) => s.split(' ').pop());
    for (const format of ['plain', 'rawjson', 'legacy'] as const) {
      const { cold, edit } = results[format];
      // The format rides along so that a failure says which one differed.
      expect({ format, cold: statuses(cold) }).toEqual({ format, cold: ['done', 'done', 'done', 'done', 'done'] });
      expect({ format, edit: statuses(edit) }).toEqual({ format, edit: ['cached', 'cached', 'done', 'done', 'done'] });
      const from = shape(cold).filter(isFrom);
      if (from.length > 0) expect(from[0]).toMatch(/ FROM .*localbase\/busybox.* (done|cached)$/);
    }
    // Apart from FROM (BuildKit prints the resolved reference), the text of every step agrees.
    expect(rest(results.rawjson.cold)).toEqual(rest(results.plain.cold));
    expect(rest(results.legacy.cold)).toEqual(rest(results.plain.cold));
    expect(rest(results.rawjson.edit)).toEqual(rest(results.plain.edit));
    expect(rest(results.legacy.edit)).toEqual(rest(results.plain.edit));
    expect(rest(results.plain.cold)[1]).toBe('- 3/6 WORKDIR /app done');
  });

  it('times the sleep-bound step the same within 0.3 s', () => {
    const plain = sleepStep(results.plain.cold).durationMs;
    const rawjson = sleepStep(results.rawjson.cold).durationMs;
    expect(plain).not.toBeNull();
    expect(rawjson).not.toBeNull();
    expect(plain!).toBeGreaterThanOrEqual(1950);
    expect(Math.abs(plain! - rawjson!)).toBeLessThanOrEqual(300);
    // The legacy text carries no durations; a streamed build is timed by when its lines arrive.
    expect(sleepStep(results.legacy.cold).durationMs).toBeNull();
  });

  it('times a streamed legacy build by line arrival', async () => {
    appendFileSync(join(dir, 'src', 'main.txt'), 'streamed\n');
    const build = await streamLegacy(dir);
    const ms = sleepStep(build).durationMs;
    expect(ms).not.toBeNull();
    expect(ms!).toBeGreaterThanOrEqual(1950);
    expect(ms!).toBeLessThan(2000 + 1500);
    expect(build.durationMs).not.toBeNull();
  }, BUILD_TIMEOUT);

  it('reads the build context size from every format', () => {
    expect(results.plain.cold.contextBytes).toBeGreaterThan(0);
    expect(results.rawjson.cold.contextBytes).toBe(results.plain.cold.contextBytes);
    // The legacy builder sends the whole context as a tar: bigger than BuildKit's transfer.
    expect(results.legacy.cold.contextBytes).toBeGreaterThan(0);
  });
});
