// Fixtures in test/fixtures/tty: `recorded-*` are real captures of the local engine (buildx 0.13.1),
// made with `script -qfc "stty cols 120 rows 40; docker buildx build --progress=tty --network=none DIR" out`
// on `FROM localbase/busybox` Dockerfiles; the others are written by hand in the same shapes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTtyParser } from '../../src/core/parse/tty.js';
import { detectLineFormat, parseLog, parseLogs } from '../../src/core/parse/detect.js';
import type { Build, Step } from '../../src/core/model.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/tty');
const REAL_LOGS = join(process.cwd(), '../shared/real-logs');
const fixture = (name: string): Build => parseLog(readFileSync(join(FIXTURES, name), 'utf8'));

function step(build: Build, prefix: string): Step {
  const s = build.steps.find((x) => x.name.startsWith(prefix));
  if (!s) throw new Error(`no step ${prefix} in ${build.steps.map((x) => x.name).join(', ')}`);
  return s;
}

describe('TTY progress captured as text', () => {
  it('is detected from the frame header or a frame row', () => {
    expect(detectLineFormat('[+] Building 12.3s (5/7) FINISHED                 docker:default')).toBe('tty');
    expect(detectLineFormat('=> [builder 3/3] RUN cargo build --release                863.3s')).toBe('tty');
    expect(detectLineFormat('[+] Running 2/2')).toBeNull();
  });

  it('reads only the last frame: a step running in frame 1 and CACHED in frame 3 is cached', () => {
    const b = fixture('frames-last-wins.tty.log');
    expect(b.format).toBe('tty');
    expect(b.steps.map((s) => s.name)).toEqual([
      '[internal] load build definition from Dockerfile',
      '[internal] load build context',
      '[1/3] FROM docker.io/localbase/busybox:latest',
      '[2/3] RUN npm ci',
      '[3/3] COPY . .',
      'exporting to image',
    ]);
    const from = step(b, '[1/3] FROM');
    expect([from.status, from.durationMs, from.index, from.total, from.internal]).toEqual(['cached', 0, 1, 3, false]);
    const npm = step(b, '[2/3] RUN npm ci');
    expect([npm.status, npm.durationMs, npm.instruction, npm.output]).toEqual(['done', 3100, 'RUN npm ci', []]);
    // The context size of the last frame, not a sum over frames.
    expect(b.contextBytes).toBe(2050);
    expect([b.durationMs, b.builder.driver, b.builder.name, b.incomplete, b.error]).toEqual([3400, 'docker', 'default', false, null]);
    expect(b.warnings).toEqual([
      { message: 'JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', stepId: null, line: 4 },
    ]);
  });

  it('reads a failed build: ERROR and CANCELED markers, the excerpt, the full name and the final error', () => {
    const b = fixture('error-block.tty.log');
    const configure = step(b, '[builder 3/4] RUN ./configure');
    // The row cut the name at the terminal width; the excerpt names the step in full.
    expect(configure.name).toBe('[builder 3/4] RUN ./configure --prefix=/usr --enable-shared --enable-static --with-openssl --with-zlib && make -j8');
    expect([configure.status, configure.durationMs, configure.stage, configure.index, configure.total]).toEqual(['error', 2100, 'builder', 3, 4]);
    expect(configure.output).toEqual(['checking for openssl... no', 'configure: error: OpenSSL not found']);
    expect(configure.error).toBe('process "/bin/sh -c ./configure --prefix=/usr --enable-shared --enable-static --with-openssl --with-zlib && make -j8" did not complete successfully: exit code: 1');
    expect(step(b, '[docs 2/2]').status).toBe('canceled');
    expect(step(b, '[builder 2/4] COPY').status).toBe('done');
    expect(b.error).toMatch(/^failed to solve: process .* exit code: 1$/);
    expect(b.errorExcerpt[0]).toBe('------');
    expect(b.errorExcerpt).toContain('Dockerfile:3');
    expect(b.incomplete).toBe(false);
  });

  it('leaves steps of a capture cut mid-build incomplete, with the output rows of the running step', () => {
    const b = fixture('cut-mid-build.tty.log');
    expect(b.incomplete).toBe(true);
    const cargo = step(b, '[builder 3/3] RUN cargo build --release');
    expect([cargo.status, cargo.durationMs]).toEqual(['incomplete', null]);
    expect(cargo.output).toHaveLength(4);
    expect(cargo.output[3]).toBe('warning: build failed, waiting for other jobs to finish...');
    expect(cargo.output).not.toContain('Compiling serde v1.0.197'); // from an earlier frame
    expect(step(b, '[builder 1/3] FROM').status).toBe('cached');
    expect([b.durationMs, b.builder.driver, b.builder.name]).toEqual([863500, 'docker-container', 'ci']);
  });

  it('reads a recorded successful build (colours and cursor moves included)', () => {
    const b = fixture('recorded-ok-cold.tty.log');
    expect(b.format).toBe('tty');
    expect(b.steps).toHaveLength(11);
    const run = step(b, '[build 4/4] RUN');
    expect([run.status, run.durationMs]).toEqual(['done', 2500]);
    expect(step(b, '[build 1/4] FROM').status).toBe('cached');
    expect(step(b, '[stage-1 3/3] RUN echo done').durationMs).toBe(100);
    expect([b.durationMs, b.contextBytes, b.incomplete, b.error]).toEqual([2600, 46, false, null]);
    expect(b.steps.every((s) => !s.name.includes('\u001b') && !s.name.includes('\r'))).toBe(true);
  });

  it('reads a recorded cached rebuild', () => {
    const b = fixture('recorded-ok-cached.tty.log');
    const user = b.steps.filter((s) => !s.internal);
    expect(user.map((s) => s.status)).toEqual(['done', 'cached', 'cached', 'cached', 'cached', 'cached']);
    expect(b.durationMs).toBe(0);
  });

  it('reads a recorded failed build whose last frame is not FINISHED', () => {
    const b = fixture('recorded-fail.tty.log');
    const failed = b.steps.filter((s) => s.status === 'error');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.output).toEqual(['step 1', 'step 2', 'step 3', "src/main.c:3: error: expected ';'"]);
    expect(failed[0]!.durationMs).toBe(1600);
    expect(step(b, '[2/4] RUN echo "starting"').status).toBe('done');
    expect(b.steps.some((s) => s.name.includes('[4/4]'))).toBe(false); // never ran
    expect(b.error).toMatch(/exit code: 2$/);
    expect(b.incomplete).toBe(false);
  });

  it('reads a recorded build where a failing stage cancels a running one', () => {
    const b = fixture('recorded-canceled.tty.log');
    const slow = step(b, '[slow 2/2]');
    expect(slow.status).toBe('canceled');
    expect(slow.output).toEqual([]); // its output rows came from earlier frames
    const broken = step(b, '[broken 2/2]');
    expect([broken.status, broken.output]).toEqual(['error', ['tests failed: 3 of 12']]);
    expect(broken.error).toBe('process "/bin/sh -c sleep 1 && echo "tests failed: 3 of 12" >&2 && exit 1" did not complete successfully: exit code: 1');
  });

  it('keeps memory to one frame: a thousand repeated frames give one set of steps', () => {
    const p = createTtyParser();
    for (let f = 0; f < 1000; f++) {
      p.line(`[+] Building ${(f / 10).toFixed(1)}s (1/2)`);
      p.line(' => [1/2] FROM docker.io/localbase/busybox:latest          0.0s');
      p.line(` => [2/2] RUN make                                        ${(f / 10).toFixed(1)}s`);
      p.line(` => => # line ${f}`);
    }
    const b = p.end(false);
    expect(b.steps).toHaveLength(2);
    expect(b.steps[1]!.output).toEqual(['line 999']);
    expect([b.steps[1]!.status, b.incomplete, b.durationMs]).toEqual(['incomplete', true, 99900]);
  });

  it('splits a capture of several builds: at a timer that goes down, and after a final error', () => {
    const text = readFileSync(join(FIXTURES, 'several-builds.tty.log'), 'utf8');
    const builds = parseLogs(text);
    expect(builds).toHaveLength(3);
    const [ok, fail, cut] = builds as [Build, Build, Build];
    expect(ok.steps.map((s) => [s.name, s.status, s.durationMs])).toEqual([
      ['[internal] load build definition from Dockerfile', 'done', 0],
      ['[internal] load .dockerignore', 'done', 0],
      ['[1/2] FROM docker.io/localbase/busybox:latest', 'done', 100],
      ['[2/2] RUN echo ok > /ok', 'done', 1200],
      ['exporting to image', 'done', 100],
    ]);
    expect([ok.durationMs, ok.error, ok.incomplete, ok.errorExcerpt]).toEqual([1900, null, false, []]);
    const run = step(fail, '[2/2] RUN test -f /missing');
    expect([run.status, run.durationMs, run.error]).toEqual(['error', 2300, 'process "/bin/sh -c test -f /missing" did not complete successfully: exit code: 1']);
    expect(step(fail, '[1/2] FROM').status).toBe('cached');
    expect([fail.durationMs, fail.incomplete]).toEqual([2600, false]);
    expect(fail.error).toBe('failed to solve: process "/bin/sh -c test -f /missing" did not complete successfully: exit code: 1');
    // The third build's timer starts where the second's ended: the final error split them.
    expect(cut.steps.map((s) => s.name)).toEqual(['[internal] load build definition from Dockerfile', '[internal] load .dockerig']);
    expect([cut.error, cut.incomplete, cut.errorExcerpt]).toEqual([null, true, []]);
    // end() still gives the last build.
    expect(parseLog(text)).toEqual(cut);
  });

  it('does not split a build whose timer stays or grows, and times each build from its first frame', () => {
    const p = createTtyParser();
    p.line('[+] Building 1.0s (1/2)', 1_000);
    p.line(' => [1/2] FROM docker.io/localbase/busybox:latest          0.0s', 1_000);
    p.line('[+] Building 1.0s (2/2) FINISHED', 2_000);
    p.line(' => [1/2] FROM docker.io/localbase/busybox:latest          0.0s', 2_000);
    p.line('[+] Building 0.2s (0/1)', 5_000);
    p.line(' => [internal] load build definition from Dockerfile      0.2s', 5_000);
    const builds = p.endAll(false);
    expect(builds.map((b) => [b.startedAt, b.steps.length, b.durationMs])).toEqual([
      [new Date(1_000).toISOString(), 1, 1000],
      [new Date(5_000).toISOString(), 1, 200],
    ]);
    expect(p.end(false)).toBe(builds[1]);
  });

  (existsSync(REAL_LOGS) ? it : it.skip)('reads the real TTY captures', () => {
    const final = parseLog(readFileSync(join(REAL_LOGS, '20-tty-final-frame-error-block.txt'), 'utf8'));
    expect(final.format).toBe('tty');
    expect(step(final, '[internal] load metadata for docker.io/arm64v8/debian:11').status).toBe('error');
    expect([final.durationMs, final.builder.name]).toEqual([1300, 'default']);
    const tail = parseLog(readFileSync(join(REAL_LOGS, '38-tty-log-tail-rows-hash-prefix.txt'), 'utf8'));
    expect(tail.format).toBe('tty');
    expect(tail.steps[0]!.output.at(-1)).toBe('warning: build failed, waiting for other jobs to finish..');
  });
});
