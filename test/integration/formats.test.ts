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

jest.setTimeout(180_000);

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
    .map((s) => `${s.stage ?? '-'} ${s.index}/${s.total} ${s.instruction} ${s.status}`);
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
  let dir = '';

  beforeAll(async () => {
    dir = makeProject();
    for (const format of ['plain', 'rawjson', 'legacy'] as const) {
      writeFileSync(join(dir, 'src', 'main.txt'), 'hello\n');
      const cold = await dockerBuild(dir, format);
      expect(cold.exitCode).toBe(0);
      appendFileSync(join(dir, 'src', 'main.txt'), `edit ${format}\n`);
      const edit = await dockerBuild(dir, format);
      expect(edit.exitCode).toBe(0);
      results[format] = { cold: parseLog(cold.output), edit: parseLog(edit.output) };
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('detects each format', () => {
    expect(results.plain.cold.format).toBe('plain');
    expect(results.rawjson.cold.format).toBe('rawjson');
    expect(results.legacy.cold.format).toBe('legacy');
    expect(results.legacy.cold.builder.kind).toBe('legacy');
  });

  it('gives the same steps and cache states, cold and after an edit', () => {
    const statuses = (b: Build) => shape(b).map((s) => s.split(' ').pop());
    for (const format of ['plain', 'rawjson', 'legacy'] as const) {
      const { cold, edit } = results[format];
      expect(statuses(cold)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
      expect(statuses(edit)).toEqual(['done', 'cached', 'cached', 'done', 'done', 'done']);
    }
    // Apart from FROM (BuildKit prints the resolved reference), the text of every step agrees.
    const text = (b: Build) => shape(b).slice(1);
    expect(text(results.rawjson.cold)).toEqual(text(results.plain.cold));
    expect(text(results.legacy.cold)).toEqual(text(results.plain.cold));
    expect(text(results.rawjson.edit)).toEqual(text(results.plain.edit));
    expect(text(results.legacy.edit)).toEqual(text(results.plain.edit));
    expect(shape(results.plain.cold)[2]).toBe('- 3/6 WORKDIR /app done');
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
  });

  it('reads the build context size from every format', () => {
    expect(results.plain.cold.contextBytes).toBeGreaterThan(0);
    expect(results.rawjson.cold.contextBytes).toBe(results.plain.cold.contextBytes);
    // The legacy builder sends the whole context as a tar: bigger than BuildKit's transfer.
    expect(results.legacy.cold.contextBytes).toBeGreaterThan(0);
  });
});
