// Older BuildKit `--progress=plain` output: v0.3–v0.4 (Docker 18.09) event lines with absolute times,
// v0.5–v0.7 `%#.4g` elapsed times and names cut at 72 bytes + `...`, v0.8 digest lines, and the
// bare final errors of that era. Hand-made fixtures in test/fixtures/plain-old/; the real logs of
// ../shared/real-logs are read when that folder exists.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGoDuration, parseGoTime, parsePlainLog } from '../../src/core/parse/plain.js';
import { parseLog, parseLogs } from '../../src/core/parse/detect.js';
import { isTruncatedName } from '../../src/core/parse/step-name.js';
import { userSteps, type Build, type Step } from '../../src/core/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures');
const read = (path: string): string => readFileSync(join(fixtures, path), 'utf8');
const old = (name: string): Build => parseLog(read(`plain-old/${name}`));

function step(build: Build, id: string): Step {
  const s = build.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}; have ${build.steps.map((x) => x.id).join(' ')}`);
  return s;
}

describe('Go time and duration strings (BuildKit v0.3–v0.4 events)', () => {
  it('reads time.String() with its zone, nanoseconds and monotonic suffix', () => {
    expect(parseGoTime('2021-07-05 09:12:44.874143734 +0000 UTC m=+0.033279376')).toBeCloseTo(Date.UTC(2021, 6, 5, 9, 12, 44) + 874.143734, 3);
    expect(parseGoTime('2019-01-15 10:16:28.5 +0100 CET')).toBe(Date.UTC(2019, 0, 15, 9, 16, 28, 500));
    expect(parseGoTime('2019-01-15 02:16:28 -0700 MST')).toBe(Date.UTC(2019, 0, 15, 9, 16, 28));
    expect(parseGoTime('not a time')).toBeNull();
  });

  it('reads Go durations in every unit', () => {
    expect(parseGoDuration('63.109\u00b5s')).toBeCloseTo(0.063109, 6);
    expect(parseGoDuration('63.109\u03bcs')).toBeCloseTo(0.063109, 6);
    expect(parseGoDuration('92.931508ms   ')).toBeCloseTo(92.931508, 6);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('2m3.4s')).toBe(123_400);
    expect(parseGoDuration('1h2m0.5s')).toBe(3_720_500);
    expect(parseGoDuration('0s')).toBe(0);
    expect(parseGoDuration('12')).toBeNull();
    expect(parseGoDuration('fast')).toBeNull();
    expect(parseGoDuration('')).toBeNull();
  });
});

describe('BuildKit v0.3–v0.4 (Docker 18.09): event lines, no DONE lines', () => {
  const b = old('v03-docker1809-success.log');

  it('gives every vertex its real status from the events', () => {
    expect(b.format).toBe('plain');
    expect(b.steps.map((s) => [s.id, s.status])).toEqual([
      ['2', 'done'], ['1', 'done'], ['3', 'done'], ['4', 'cached'], ['5', 'done'], ['6', 'done'], ['7', 'done'], ['8', 'done'],
    ]);
    expect(userSteps(b).map((s) => s.name)).toEqual(['[1/3] FROM docker.io/library/busybox@sha256:' + 'd'.repeat(64), '[2/3] COPY . /src', '[3/3] RUN make -C /src']);
    expect(b.incomplete).toBe(false);
    expect(b.error).toBeNull();
  });

  it('takes durations from `duration:` (Go durations, µs to minutes); cached steps take 0', () => {
    expect(step(b, '2').durationMs).toBe(93); // 92.9315ms
    expect(step(b, '3').durationMs).toBe(1500); // 1.5s
    expect(step(b, '7').durationMs).toBe(123_400); // 2m3.4s
    expect(step(b, '4').durationMs).toBe(0);
    // #1 ran twice (a second `started:` without a header): the last run wins.
    expect(step(b, '1').durationMs).toBe(50);
  });

  it('turns the absolute times (in their zone) into the build clock and step offsets', () => {
    expect(b.startedAt).toBe('2019-01-15T09:16:28.500Z');
    expect(b.durationMs).toBe(126_200);
    expect([step(b, '2').startMs, step(b, '2').endMs]).toEqual([0, 93]);
    expect([step(b, '1').startMs, step(b, '1').endMs]).toEqual([100, 150]);
    expect([step(b, '7').startMs, step(b, '7').endMs]).toEqual([2300, 125_700]);
    expect([step(b, '8').startMs, step(b, '8').endMs]).toEqual([125_700, 126_200]);
  });

  it('keeps log lines as output and event lines out of it; reads the context size', () => {
    expect(step(b, '7').output).toEqual(['cc -O2 -c main.c', 'cc -o app main.o', 'done']);
    expect(step(b, '2').output).toEqual([]);
    expect(b.contextBytes).toBe(1_210_000);
  });

  it('reads `error:` events (a canceled vertex as canceled) and the bare final error', () => {
    const f = old('v03-docker1809-failed.log');
    expect(f.steps.map((s) => [s.id, s.status])).toEqual([['1', 'done'], ['2', 'done'], ['3', 'cached'], ['4', 'error'], ['5', 'canceled']]);
    const test = step(f, '4');
    expect(test.error).toBe('executor failed running [/bin/sh -c go test ./...]: exit code: 1');
    expect(test.durationMs).toBe(1250);
    expect(test.output).toEqual(['=== RUN   TestParse', '--- FAIL: TestParse (0.00s)']);
    expect(step(f, '5').error).toBeNull();
    expect(f.error).toBe('failed to solve with frontend dockerfile.v0: failed to build LLB: executor failed running [/bin/sh -c go test ./...]: exit code: 1');
    expect(f.startedAt).toBe('2021-07-05T09:12:44.874Z');
    expect(f.durationMs).toBe(2486);
    expect(f.incomplete).toBe(false);
  });

  it('a vertex that never got `completed:` stays incomplete, and so does the build', () => {
    const text = read('plain-old/v03-docker1809-success.log').split('\n').filter((l) => !l.startsWith('#7    completed:') && !l.startsWith('#7     duration:')).join('\n');
    const cut = parseLog(text);
    expect(step(cut, '7').status).toBe('incomplete');
    expect(step(cut, '7').durationMs).toBeNull();
    expect(step(cut, '7').startMs).toBe(2300);
    expect(cut.incomplete).toBe(true);
  });

  it('a `name:` event gives back the whole name of a header cut at 72 bytes', () => {
    const full = '[builder 3/5] RUN apt-get update && apt-get install -y --no-install-recommends curl git';
    const cutName = full.slice(0, 72) + '...';
    const b2 = parsePlainLog([
      `#4 ${cutName}`,
      `#4         name: ${JSON.stringify(full)}`,
      '#4      started: 2019-01-15 10:16:30.1 +0000 UTC',
      '#4    completed: 2019-01-15 10:16:31.1 +0000 UTC',
      '#4     duration: 1s',
      '',
    ].join('\n'));
    const s = step(b2, '4');
    expect(s.name).toBe(full);
    expect(s.instruction).toBe('RUN apt-get update && apt-get install -y --no-install-recommends curl git');
    expect([s.status, s.durationMs]).toEqual(['done', 1000]);
  });

  it('does not take a status line that merely starts with spaces for an event', () => {
    const b2 = parsePlainLog(['#3 [1/2] RUN x', '#3   something: odd', '#3 DONE 0.1s', ''].join('\n'));
    expect([step(b2, '3').status, step(b2, '3').durationMs]).toEqual(['done', 100]);
  });
});

describe('BuildKit v0.5–v0.7: %#.4g elapsed times and names cut at 72 bytes', () => {
  const b = old('v05-truncated-names.log');

  it('keeps a cut name as printed, `...` included, and still reads its parts', () => {
    const apt = step(b, '6');
    expect(apt.name).toBe('[builder 3/5] RUN apt-get update && apt-get install -y --no-install-reco...');
    expect([apt.stage, apt.index, apt.total, apt.internal]).toEqual(['builder', 3, 5, false]);
    expect(apt.instruction).toBe('RUN apt-get update && apt-get install -y --no-install-reco...');
    expect(isTruncatedName(apt.name)).toBe(true);
    expect(isTruncatedName(step(b, '3').name)).toBe(true);
    expect(step(b, '3').internal).toBe(true);
  });

  it('flags a cut only from a trailing `...` on a 75-byte name', () => {
    expect(isTruncatedName(step(b, '7').name)).toBe(false); // `RUN go build ./...` is whole
    expect(isTruncatedName('[worker internal] load build definition from Dockerfile.j')).toBe(false);
    expect(isTruncatedName('x'.repeat(72) + '...')).toBe(true);
    expect(isTruncatedName('x'.repeat(71) + '...')).toBe(false);
    expect(isTruncatedName('x'.repeat(73) + '...')).toBe(false);
    // 70 ASCII bytes + `é` (2 bytes) = 72 bytes, 71 characters.
    expect(isTruncatedName('x'.repeat(70) + '\u00e9...')).toBe(true);
  });

  it('reads `1939.`-style elapsed times as log lines', () => {
    const apt = step(b, '6');
    expect(apt.output).toEqual([
      'Get:1 http://deb.debian.org/debian buster InRelease',
      'Setting up curl ...',
      'Setting up git ...',
      'Processing triggers for libc-bin ...',
    ]);
    expect(apt.durationMs).toBe(1_940_200);
  });

  it('reads the old exec error wording and the bare final error', () => {
    const tests = step(b, '8');
    expect(tests.status).toBe('error');
    expect(tests.error).toBe('executor failed running [/bin/sh -c ./run-tests.sh]: exit code: 1');
    expect(b.error).toBe('failed to solve: rpc error: code = Unknown desc = executor failed running [/bin/sh -c ./run-tests.sh]: exit code: 1');
    expect(b.errorExcerpt).toEqual(['------', ' > [builder 5/5] RUN ./run-tests.sh:', '#8 0.123 FAIL', '------']);
    expect(b.incomplete).toBe(false);
  });
});

describe('BuildKit v0.8 (Docker 20.10): digest lines, two builds in one log', () => {
  const builds = parseLogs(read('plain-old/v08-two-builds.log'));

  it('splits the log at the second build and keeps its #1', () => {
    expect(builds).toHaveLength(2);
    expect(builds.map((b) => b.steps.length)).toEqual([8, 7]);
    expect(builds[1]!.steps[0]!.id).toBe('1');
    expect(builds[1]!.steps[0]!.name).toBe('[internal] load build definition from Dockerfile');
  });

  it('the digest lines are statuses: no output, no effect on names or status', () => {
    const [first, second] = builds as [Build, Build];
    expect(first.steps.every((s) => s.output.every((o) => !o.startsWith('sha256:')))).toBe(true);
    expect(first.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'cached', 'done', 'done']);
    expect(step(first, '7').durationMs).toBe(2600);
    expect([first.error, first.contextBytes]).toEqual([null, 3210]);
    expect(step(second, '7').status).toBe('error');
    expect(step(second, '7').error).toBe('executor failed running [/bin/sh -c npm ci]: exit code: 1');
    expect(second.error).toBe('executor failed running [/bin/sh -c npm ci]: exit code: 1');
    expect(second.contextBytes).toBe(3300);
  });

  it('parseLog gives the last build', () => {
    expect(parseLog(read('plain-old/v08-two-builds.log')).error).toBe('executor failed running [/bin/sh -c npm ci]: exit code: 1');
  });

  it('a re-printed opening vertex inside one build does not start another', () => {
    // BuildKit v0.3 re-prints `[internal] load .dockerignore` once the Dockerfile is read.
    const text = [
      '#1 [internal] load .dockerignore', '#1 DONE 0.0s', '',
      '#2 [internal] load build definition from Dockerfile', '#2 DONE 0.0s', '',
      '#1 [internal] load .dockerignore', '#1 DONE 0.1s', '',
      '#3 [1/1] FROM busybox', '#3 CACHED', '',
    ].join('\n');
    const all = parseLogs(text);
    expect(all).toHaveLength(1);
    expect(all[0]!.steps.map((s) => [s.id, s.status, s.durationMs])).toEqual([['1', 'done', 100], ['2', 'done', 0], ['3', 'cached', 0]]);
  });
});

const CORPUS = resolve(here, '..', '..', '..', 'shared', 'real-logs');
const corpusFile = (prefix: string): string | undefined =>
  existsSync(CORPUS) ? readdirSync(CORPUS).find((f) => f.startsWith(prefix) && !f.endsWith('.source.txt')) : undefined;
const v03 = corpusFile('17-');
const v1809 = corpusFile('30-');

(v03 && v1809 ? describe : describe.skip)('real v0.3–v0.4 logs (../shared/real-logs)', () => {
  it('17: img/BuildKit v0.3 events give status, durations and the clock', () => {
    const b = parseLog(readFileSync(join(CORPUS, v03!), 'utf8'));
    expect(b.steps.map((s) => [s.id, s.status])).toEqual([['1', 'done'], ['2', 'done']]);
    expect(step(b, '2').durationMs).toBe(16); // duration: 16.449177ms
    expect(step(b, '1').durationMs).toBe(23); // the second run: 22.836781ms
    expect(b.startedAt).toBe('2021-07-05T09:12:44.874Z');
    expect(b.error).toMatch(/^failed to solve: failed to read dockerfile/);
  });

  it('30: Docker 18.09, #2 printed before #1, #1 started twice', () => {
    const b = parseLog(readFileSync(join(CORPUS, v1809!), 'utf8'));
    expect(b.steps.map((s) => s.id)).toEqual(['2', '1']);
    expect([step(b, '2').status, step(b, '2').durationMs]).toEqual(['done', 93]);
    expect(step(b, '1').startMs).toBe(1);
    expect(b.startedAt).toBe('2020-02-17T22:08:42.316Z');
  });
});
