import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlainParser, parsePlainLog } from '../../src/core/parse/plain.js';
import { LogParser, detectLineFormat, isBuildTailLine, parseLog } from '../../src/core/parse/detect.js';
import { ParseError } from '../../src/core/parse/index.js';
import { OUTPUT_TAIL_LINES, userSteps, type Build, type Step } from '../../src/core/model.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const read = (path: string): string => readFileSync(join(fixtures, path), 'utf8');
const recorded = (name: string): Build => parsePlainLog(read(`recorded/${name}`));
const hand = (name: string): Build => parsePlainLog(read(`plain/${name}`));

function stepNamed(build: Build, name: string): Step {
  const step = build.steps.find((s) => s.name === name);
  if (!step) throw new Error(`no step named ${name}; have ${build.steps.map((s) => s.name).join(' | ')}`);
  return step;
}

describe('parsePlainLog on recorded buildx 0.13 logs', () => {
  const cold = recorded('node-app.plain.cold.log');

  it('reads the builder and the format', () => {
    expect(cold.format).toBe('plain');
    expect(cold.builder).toEqual({ kind: 'buildkit', name: 'default', driver: 'docker', versions: {} });
  });

  it('keeps every vertex in order of first appearance, ids as the #N number', () => {
    expect(cold.steps).toHaveLength(15);
    expect(cold.steps.map((s) => s.id)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 1)));
    expect(userSteps(cold)).toHaveLength(9);
    expect(cold.steps[0]!.name).toBe('[internal] load build definition from Dockerfile');
    expect(cold.steps[14]!.name).toBe('exporting to image');
    expect(cold.steps[14]!.internal).toBe(true);
  });

  it('reads stage, index and instruction from headers', () => {
    const npm = stepNamed(cold, '[build 4/5] RUN npm ci');
    expect([npm.stage, npm.index, npm.total, npm.instruction, npm.internal]).toEqual(['build', 4, 5, 'RUN npm ci', false]);
    expect(npm.status).toBe('done');
    expect(npm.durationMs).toBe(3100);
    expect(stepNamed(cold, '[stage-1 2/4] WORKDIR /srv').durationMs).toBe(0);
  });

  it('takes the context size from the build-context vertex only, not from .dockerignore', () => {
    expect(cold.contextBytes).toBe(1060);
    expect(recorded('node-app.plain.edit.log').contextBytes).toBe(329);
    expect(recorded('node-app.plain.cached.log').contextBytes).toBe(187);
  });

  it('has no absolute times without atMs, and a complete log is not incomplete', () => {
    expect([cold.startedAt, cold.durationMs]).toEqual([null, null]);
    expect(cold.steps.every((s) => s.startMs === null && s.endMs === null)).toBe(true);
    expect(cold.incomplete).toBe(false);
    expect(cold.error).toBeNull();
    expect(cold.errorExcerpt).toEqual([]);
  });

  it('marks cache hits as cached with a zero duration', () => {
    const edit = recorded('node-app.plain.edit.log');
    const workdir = stepNamed(edit, '[build 2/5] WORKDIR /app');
    expect([workdir.status, workdir.durationMs]).toEqual(['cached', 0]);
    expect(stepNamed(edit, '[build 3/5] COPY . .').status).toBe('done');
    const cached = recorded('node-app.plain.cached.log');
    expect(userSteps(cached).filter((s) => s.status === 'cached').map((s) => s.id)).toEqual(['8', '9', '10', '11', '12', '13', '14']);
  });

  describe('a failed build', () => {
    const fail = recorded('fail.plain.log');
    const run = fail.steps.find((s) => s.index === 2)!;

    it('marks the failing step with its output tail and unquoted error', () => {
      expect(run.name.startsWith('[2/3] RUN echo "compiling"')).toBe(true);
      expect(run.status).toBe('error');
      expect(run.output).toEqual(['compiling', "src/main.c:3: error: expected ';'"]);
      expect(run.error).toBe(
        'process "/bin/sh -c echo "compiling" && sleep 1 && echo "src/main.c:3: error: expected \';\'" >&2 && exit 2" did not complete successfully: exit code: 2',
      );
      expect(run.durationMs).toBeNull();
    });

    it('reads the final error and the excerpt, and does not count excerpt lines as output', () => {
      expect(fail.error!.startsWith('failed to solve: process')).toBe(true);
      expect(fail.error).toContain('exit code: 2');
      expect(fail.errorExcerpt[0]).toBe('------');
      expect(fail.errorExcerpt[1]!.startsWith(' > [2/3] RUN echo')).toBe(true);
      expect(fail.errorExcerpt).toContain('Dockerfile:2');
      expect(fail.errorExcerpt).toContain('0.046 compiling');
      expect(fail.errorExcerpt).toContain('   2 | >>> RUN echo "compiling" && sleep 1 && echo "src/main.c:3: error: expected \';\'" >&2 && exit 2');
      expect(fail.errorExcerpt[fail.errorExcerpt.length - 1]).toBe('--------------------');
      expect(fail.errorExcerpt).toHaveLength(12);
      expect(run.output).toHaveLength(2);
      expect(fail.incomplete).toBe(false);
      expect(fail.contextBytes).toBeNull();
    });
  });
});

describe('parsePlainLog on hand-written shapes', () => {
  it('follows interleaved vertexes (`#N ...`) and lets a re-run vertex keep its last result', () => {
    const b = hand('interleaved-repeated-header.log');
    expect(b.builder.name).toBe('builder-1');
    expect(b.builder.driver).toBe('docker-container');
    expect(b.steps.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const download = stepNamed(b, '[build 2/4] RUN go mod download');
    expect(download.status).toBe('done');
    expect(download.durationMs).toBe(14200);
    expect(download.output).toEqual([
      'go: downloading github.com/spf13/cobra v1.8.0',
      'go: downloading golang.org/x/sys v0.18.0',
      'go: downloading golang.org/x/text v0.14.0',
    ]);
    const vet = stepNamed(b, '[build 3/4] RUN go vet ./...');
    expect(vet.durationMs).toBe(1400);
    expect(vet.output).toEqual(['vet: checking', 'vet: checking again']);
    expect(b.steps.filter((s) => s.name === '[build 3/4] RUN go vet ./...')).toHaveLength(1);
    expect(stepNamed(b, '[build 1/4] FROM docker.io/library/golang:1.22@sha256:0b55ab82ac2a54a6f8f85ec8b943b9e470c39e32c109b766bbc1b801f3fa8d3b').status).toBe('cached');
    expect(b.incomplete).toBe(false);
  });

  it('a vertex restarted after DONE that never ends again is incomplete', () => {
    const text = ['#1 [1/2] RUN make', '#1 DONE 1.0s', '', '#1 [1/2] RUN make', '#1 0.100 again'].join('\n');
    const b = parsePlainLog(text + '\n');
    expect(b.steps).toHaveLength(1);
    expect([b.steps[0]!.status, b.steps[0]!.durationMs]).toEqual(['incomplete', null]);
    expect(b.incomplete).toBe(true);
  });

  it('reads CANCELED, the failed-to-build prefix, and ignores lines after the final error', () => {
    const b = hand('canceled.log');
    const npm = stepNamed(b, '[web 2/3] RUN npm ci');
    expect([npm.status, npm.target, npm.stage, npm.durationMs]).toEqual(['canceled', null, 'web', null]);
    const gradle = stepNamed(b, '[api 2/3] RUN ./gradlew build');
    expect(gradle.status).toBe('error');
    expect(gradle.error).toBe('process "/bin/sh -c ./gradlew build" did not complete successfully: exit code: 1');
    expect(gradle.output).toEqual(['> Task :compileJava FAILED', 'error: cannot find symbol']);
    expect(b.error).toBe('failed to build: failed to solve: process "/bin/sh -c ./gradlew build" did not complete successfully: exit code: 1');
    expect(b.errorExcerpt).toContain('Dockerfile:9');
    expect(b.errorExcerpt.some((l) => l.startsWith('View build details'))).toBe(false);
    expect(b.contextBytes).toBe(2070);
    expect(b.incomplete).toBe(false);
  });

  it('reads WARN lines, WARNING lines and the coloured summary without duplicates', () => {
    const b = hand('warnings.log');
    expect(b.warnings).toEqual([
      {
        message: 'No output specified with docker-container driver. Build result will only remain in the build cache. To push result image into registry use --push or to load image into docker use --load',
        stepId: null,
        line: null,
      },
      { message: "FromAsCasing: 'as' and 'FROM' keywords' casing do not match", stepId: '1', line: 1 },
      { message: "UndefinedVar: Usage of undefined variable '$NAME'", stepId: null, line: 3 },
    ]);
    // An empty log text (`#4 0.104 `) is an output line too.
    expect(stepNamed(b, '[2/2] RUN echo $NAME').output).toEqual(['']);
  });

  it('keeps summary items that differ only by line, and reads the pre-0.8 WARN[0000] form', () => {
    const b = parsePlainLog([
      '#1 [1/1] FROM alpine',
      '#1 DONE 0.0s',
      'WARN[0000] No output specified for docker-container driver',
      '',
      ' 2 warnings found (use docker --debug to expand):',
      ' - LegacyKeyValueFormat: "ENV key=value" should be used (line 4)',
      ' - LegacyKeyValueFormat: "ENV key=value" should be used (line 9)',
      'not an item',
      ' - not a warning either',
    ].join('\n') + '\n');
    expect(b.warnings.map((w) => [w.message, w.line])).toEqual([
      ['No output specified for docker-container driver', null],
      ['LegacyKeyValueFormat: "ENV key=value" should be used', 4],
      ['LegacyKeyValueFormat: "ENV key=value" should be used', 9],
    ]);
  });

  it('marks a log cut mid-step as incomplete and keeps the partial last line', () => {
    const b = hand('cut-mid-step.log');
    const apt = b.steps[2]!;
    expect(apt.status).toBe('incomplete');
    expect(apt.durationMs).toBeNull();
    expect(apt.output[apt.output.length - 1]).toBe('Reading package li');
    expect(b.steps.slice(0, 2).map((s) => s.status)).toEqual(['done', 'done']);
    expect(b.incomplete).toBe(true);
  });

  it('end(true) marks the build incomplete even when every step ended', () => {
    const p = createPlainParser();
    p.line('#1 [1/1] FROM alpine');
    p.line('#1 DONE 0.0s');
    expect(p.end(true).incomplete).toBe(true);
    const q = createPlainParser();
    q.line('#1 [1/1] FROM alpine');
    q.line('#1 DONE 0.0s');
    expect(q.end(false).incomplete).toBe(false);
  });

  it('bounds the output tail and keeps `[output clipped …]` and empty lines', () => {
    const b = hand('output-clipped.log');
    const make = stepNamed(b, '[2/2] RUN make -j8');
    expect(make.output).toHaveLength(OUTPUT_TAIL_LINES);
    expect(make.outputDropped).toBe(32 - OUTPUT_TAIL_LINES);
    expect(make.output.slice(-3)).toEqual(['cc -c src/file30.c', '', '[output clipped, log limit 2MiB reached]']);
    expect(make.output[0]).toBe('cc -c src/file13.c');
    expect(make.durationMs).toBe(8100);
  });

  it('reads multi-platform headers, internal vertexes and a large context', () => {
    const b = hand('multi-platform.log');
    const cross = stepNamed(b, '[linux/amd64->arm64 build 2/3] RUN GOARCH=arm64 go build -o /out/app .');
    expect([cross.platform, cross.stage, cross.index, cross.total, cross.instruction]).toEqual(['linux/amd64->arm64', 'build', 2, 3, 'RUN GOARCH=arm64 go build -o /out/app .']);
    const copy = stepNamed(b, '[linux/arm64 stage-1 2/2] COPY --from=build /out/app /usr/local/bin/app');
    expect([copy.platform, copy.stage]).toEqual(['linux/arm64', 'stage-1']);
    expect(stepNamed(b, '[linux/arm64 internal] load metadata for docker.io/library/alpine:3.19').platform).toBe('linux/arm64');
    for (const name of ['[auth] library/golang:pull token for registry-1.docker.io', 'resolve image config for docker-image://docker.io/docker/dockerfile:1', 'exporting to image']) {
      const s = stepNamed(b, name);
      expect([s.internal, s.instruction, s.status]).toEqual([true, null, 'done']);
    }
    expect(userSteps(b)).toHaveLength(5);
    expect(b.contextBytes).toBe(101_050_000);
    // Layer progress and extraction status lines are not output.
    expect(stepNamed(b, '[linux/amd64 build 1/3] FROM docker.io/library/golang:1.22@sha256:0b55ab82ac2a54a6f8f85ec8b943b9e470c39e32c109b766bbc1b801f3fa8d3b').output).toEqual([]);
  });

  it('reads older BuildKit: digest lines, %#.4g times, #N-prefixed excerpt lines and lowercase error:', () => {
    const b = hand('old-buildkit.log');
    expect(b.builder.name).toBeNull();
    expect(b.steps.map((s) => s.id)).toEqual(['1', '2', '3', '5', '4', '6', '7']);
    const make = stepNamed(b, '[3/3] RUN make -C /src');
    expect(make.output).toEqual(["make: Entering directory '/src'", 'cc -O2 -c big.c', "big.c:812: error: 'foo' undeclared", 'make: *** [all] Error 2']);
    expect(make.error).toBe('executor failed running [/bin/sh -c make -C /src]: exit code: 2');
    expect(b.errorExcerpt).toEqual(['------', ' > [3/3] RUN make -C /src:', "#7 1939. big.c:812: error: 'foo' undeclared", '#7 1939. make: *** [all] Error 2', '------']);
    expect(b.error).toBe('failed to solve: rpc error: code = Unknown desc = executor failed running [/bin/sh -c make -C /src]: exit code: 2');
    // The last `transferring context` update of the build-context vertex wins.
    expect(b.contextBytes).toBe(45_610_000);
  });

  it('reads a Dockerfile snippet printed without a `------` block', () => {
    const b = parsePlainLog([
      '#1 [internal] load build definition from Dockerfile',
      '#1 transferring dockerfile: 40B done',
      '#1 DONE 0.0s',
      'Dockerfile:3',
      '--------------------',
      '   2 |     RUN true',
      '   3 | >>> RUNN false',
      '--------------------',
      'ERROR: failed to solve: dockerfile parse error on line 3: unknown instruction: RUNN',
    ].join('\n') + '\n');
    expect(b.errorExcerpt).toEqual(['Dockerfile:3', '--------------------', '   2 |     RUN true', '   3 | >>> RUNN false', '--------------------']);
    expect(b.error).toBe('failed to solve: dockerfile parse error on line 3: unknown instruction: RUNN');
  });

  it('times steps from atMs when the caller passes it', () => {
    const lines = read('plain/interleaved-repeated-header.log').split('\n');
    const base = Date.UTC(2024, 4, 1, 12, 0, 0);
    const p = createPlainParser();
    lines.forEach((l, i) => p.line(l, base + i * 100));
    const b = p.end(false);
    const at = (needle: string): number => lines.indexOf(needle) * 100;
    expect(b.startedAt).toBe('2024-05-01T12:00:00.000Z');
    expect(b.durationMs).toBe((lines.length - 1) * 100);
    const download = stepNamed(b, '[build 2/4] RUN go mod download');
    expect(download.startMs).toBe(at('#4 [build 2/4] RUN go mod download'));
    expect(download.endMs).toBe(at('#4 DONE 14.2s'));
    // The printed DONE time still wins over the arrival times.
    expect(download.durationMs).toBe(14200);
    const exporting = stepNamed(b, 'exporting to image');
    expect([exporting.startMs, exporting.endMs]).toEqual([at('#7 exporting to image'), at('#7 DONE 0.4s')]);
  });

  it('derives durations from atMs when the end line prints none', () => {
    const p = createPlainParser();
    p.line('#1 [1/3] FROM alpine', 1_000);
    p.line('#1 DONE', 1_250);
    p.line('', 1_300);
    p.line('#2 [2/3] RUN false', 1_300);
    p.line('#2 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1', 3_300);
    p.line('', 3_300);
    p.line('#3 [3/3] RUN sleep 9', 3_300);
    p.line('#3 CANCELED', 3_500);
    const b = p.end(false);
    expect(b.steps.map((s) => [s.status, s.startMs, s.endMs, s.durationMs])).toEqual([
      ['done', 0, 250, 250],
      ['error', 300, 2300, 2000],
      ['canceled', 2300, 2500, 200],
    ]);
    expect(b.durationMs).toBe(2500);
  });

  it('ignores times that are not numbers a Date can hold', () => {
    const p = createPlainParser();
    p.line('#1 [1/1] FROM alpine', Number.NaN);
    p.line('#1 DONE 0.1s', 1e20);
    const b = p.end(false);
    expect([b.startedAt, b.durationMs, b.steps[0]!.startMs, b.steps[0]!.durationMs]).toEqual([null, null, null, 100]);
  });

  it('DONE without a time and without atMs leaves the duration unknown', () => {
    const b = parsePlainLog('#1 [1/1] FROM alpine\n#1 DONE\n');
    expect([b.steps[0]!.status, b.steps[0]!.durationMs]).toEqual(['done', null]);
  });

  it('creates a step for a number never given a header, and ignores garbage', () => {
    const garbage = ['', '#', '#x foo', '##[group]Build', '#12', '#3 ', '\u0000\u0001', '}{', '   ', '#99999999999 foo', 'Step 1/2 : FROM x', '------', 'not an excerpt'];
    const b = parsePlainLog([...garbage, '#5 0.123 npm WARN old lockfile', '#5 DONE 2.0s', ''].join('\n'));
    expect(b.steps).toHaveLength(1);
    expect(b.steps[0]!.id).toBe('5');
    // Its first line is a log line, not a header: the step gets a placeholder name.
    expect([b.steps[0]!.name, b.steps[0]!.internal]).toEqual(['#5 (header not in the log)', true]);
    expect(b.steps[0]!.output).toEqual(['npm WARN old lockfile']);
    expect([b.steps[0]!.status, b.steps[0]!.durationMs]).toEqual(['done', 2000]);
    expect(b.errorExcerpt).toEqual([]);
    expect(b.error).toBeNull();
  });

  it('a build that printed its final error is not marked incomplete by a vertex left open', () => {
    const b = parsePlainLog([
      '#1 [1/2] RUN slow', '#1 0.100 working', '#1 ...', '',
      '#2 [2/2] RUN false', '#2 ERROR: exit code: 1',
      'ERROR: failed to solve: exit code: 1',
    ].join('\n') + '\n');
    expect(b.steps[0]!.status).toBe('incomplete');
    expect(b.incomplete).toBe(false);
  });

  it('a log cut inside the error excerpt is incomplete', () => {
    const b = parsePlainLog(['#1 [1/1] RUN false', '#1 ERROR: exit code: 1', '------', ' > [1/1] RUN false:', '0.1 oops'].join('\n') + '\n');
    expect(b.incomplete).toBe(true);
    expect(b.errorExcerpt).toEqual(['------', ' > [1/1] RUN false:', '0.1 oops']);
  });

  it('never throws on the real recorded logs of every format', () => {
    for (const name of ['fail.legacy.log', 'fail.rawjson.log', 'node-app.rawjson.cold.log', 'node-app.legacy.cold.log']) {
      expect(() => parsePlainLog(read(`recorded/${name}`))).not.toThrow();
    }
  });

  it('produces a JSON-serialisable build', () => {
    const b = recorded('fail.plain.log');
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });
});

describe('a log that holds only the end of a build', () => {
  const tail = (name: string): Build => parseLog(read(`plain/${name}`));

  it('reads the error excerpt, the snippet and the final error; the failed step is named by the excerpt', () => {
    const b = tail('tail-error-only.log');
    expect(b.format).toBe('plain');
    expect(b.error).toBe('failed to build: failed to solve: process "/bin/sh -c make -j4" did not complete successfully: exit code: 2');
    expect(b.errorExcerpt).toContain(' > [builder 3/4] RUN make -j4:');
    expect(b.errorExcerpt.slice(-6)).toEqual(['Dockerfile:14', '--------------------', '  13 |     COPY . .', '  14 | >>> RUN make -j4', '  15 |     ', '--------------------']);
    expect(b.steps).toHaveLength(1);
    const make = b.steps[0]!;
    expect([make.id, make.name, make.stage, make.index, make.total, make.instruction, make.internal, make.status]).toEqual(
      ['excerpt-1', '[builder 3/4] RUN make -j4', 'builder', 3, 4, 'RUN make -j4', false, 'error'],
    );
    expect(make.output).toEqual(['cc -O2 -c main.c', "main.c:12:5: error: 'cfg' undeclared (first use in this function)", 'make: *** [Makefile:8: main.o] Error 1']);
    expect(make.error).toBe('process "/bin/sh -c make -j4" did not complete successfully: exit code: 2');
    expect(b.incomplete).toBe(false);
  });

  it('reads the warnings summary and the buildx warning, with no step and no error', () => {
    const b = tail('tail-warnings-only.log');
    expect([b.format, b.steps, b.error, b.incomplete]).toEqual(['plain', [], null, false]);
    expect(b.warnings.map((w) => [w.message, w.line])).toEqual([
      ['No output specified with docker-container driver. Build result will only remain in the build cache. To push result image into registry use --push or to load image into docker use --load', null],
      ["FromAsCasing: 'as' and 'FROM' keywords' casing do not match", 1],
      ["UndefinedVar: Usage of undefined variable '$APP_HOME'", 9],
      ['LegacyKeyValueFormat: "ENV key=value" should be used instead of legacy "ENV key value" format', 4],
    ]);
  });

  it('reads an excerpt block that lost its opening dashes, cut mid-line', () => {
    const b = tail('tail-excerpt-no-dashes.log');
    expect(b.errorExcerpt[0]).toBe(' > [linux/arm64 2/5] RUN apt-get install -y tzdata:');
    expect(b.errorExcerpt.at(-1)).toBe("12.58 Current default time zone: 'Etc/U");
    // The lines before the block (a quote of the same output) are not part of it.
    expect(b.errorExcerpt).toHaveLength(5);
    const step = b.steps[0]!;
    expect([step.platform, step.index, step.status, step.output.at(-1)]).toEqual(['linux/arm64', 2, 'error', "Current default time zone: 'Etc/U"]);
    expect(b.incomplete).toBe(true);
  });

  it('takes the vertex number from BuildKit 0.10-0.11 `#N`-prefixed excerpt lines', () => {
    const b = parseLog(['------', ' > [2/2] RUN false:', '#7 0.104 nope', '------', 'ERROR: failed to solve: exit code: 1', ''].join('\n'));
    expect(b.steps.map((s) => [s.id, s.output])).toEqual([['7', ['nope']]]);
  });

  it('is told from other texts by the shape of its lines, not one word', () => {
    expect(isBuildTailLine('ERROR: failed to solve: process "/bin/sh -c x" did not complete successfully', null, null)).toBe(true);
    expect(isBuildTailLine(' 1 warning found (use docker --debug to expand):', null, null)).toBe(true);
    expect(isBuildTailLine(' > [3/7] RUN apt-get upgrade -yq:', null, null)).toBe(true);
    expect(isBuildTailLine(' > exporting to image:', '------', null)).toBe(true);
    expect(isBuildTailLine('  52 | >>> RUN make', '--------------------', 'Dockerfile:52')).toBe(true);
    expect(isBuildTailLine('  52 | >>> RUN make', '--------------------', 'not a file line')).toBe(false);
    expect(isBuildTailLine('ERROR: something else went wrong', null, null)).toBe(false);
    expect(isBuildTailLine('WARNING: low disk space', null, null)).toBe(false);
    expect(isBuildTailLine('------', null, null)).toBe(false);
    // They prove no format on their own: a build that follows decides it.
    expect(detectLineFormat('ERROR: failed to solve: x')).toBeNull();
  });

  it('still refuses a text without such lines, and lets a later build line decide the format', () => {
    expect(() => parseLog('------\nsome notes\n--------------------\nERROR: out of coffee\n')).toThrow(ParseError);
    const p = new LogParser();
    p.write(' 1 warning found (use docker --debug to expand):\n - FromAsCasing: x (line 1)\n[+] Building 0.1s (1/1) FINISHED\n => [internal] load build definition from Dockerfile   0.0s\n');
    expect(p.end().format).toBe('tty');
  });
});

describe('a paste that starts inside a vertex', () => {
  const b = hand('headerless-start.log');

  it('does not take a first status or log line for the header: a placeholder name, internal', () => {
    expect(b.steps.map((s) => s.id)).toEqual(['5', '6', '7', '8']);
    const from = b.steps[0]!;
    expect([from.name, from.internal, from.status, from.durationMs, from.output]).toEqual(['#5 (header not in the log)', true, 'done', 3100, []]);
  });

  it('applies the first log line as output, and names the step when its header turns up', () => {
    const npm = b.steps[2]!;
    expect([npm.name, npm.stage, npm.index, npm.internal, npm.status, npm.durationMs]).toEqual(['[web 3/5] RUN npm ci', 'web', 3, false, 'done', 5200]);
    expect(npm.output).toEqual(['npm warn deprecated inflight@1.0.6', 'added 212 packages in 4s']);
    expect(b.steps[3]!.name).toBe('exporting to image');
    expect(b.incomplete).toBe(false);
  });

  it('keeps a header of no known shape as the name, and reads a cut v0.3 `name:` event for a headerless vertex', () => {
    expect(parsePlainLog('#3 copy /src /dst\n#3 DONE 0.1s\n').steps[0]!.name).toBe('copy /src /dst');
    const old = parsePlainLog('#2      started: 2019-01-15 10:16:28.5 +0000 UTC\n#2         name: "[internal] load .dockerignore"\n');
    expect(old.steps[0]!.name).toBe('[internal] load .dockerignore');
  });
});

describe('`docker build --check` warning blocks', () => {
  it('reads the rule and its description as the message, and the Dockerfile line; the snippet is no error excerpt', () => {
    const b = hand('check-warnings.log');
    expect(b.warnings).toEqual([
      { message: "UndefinedVar: Usage of undefined variable '$PIP_INDEX'", stepId: null, line: 17 },
      { message: 'JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', stepId: null, line: 23 },
    ]);
    expect([b.errorExcerpt, b.error, b.incomplete]).toEqual([[], null, false]);
  });
});

describe('a bare final error after the excerpt', () => {
  it('reads the line after the `------` block as the build error (old buildx printed no `ERROR:`)', () => {
    const b = hand('bare-final-error.log');
    expect(b.steps.map((s) => [s.name, s.status, s.error, s.output])).toEqual([['[internal] booting buildkit', 'error', 'exit code 1', []]]);
    expect(b.errorExcerpt).toEqual(['------', ' > [internal] booting buildkit:', '------']);
    expect([b.error, b.incomplete]).toEqual(['exit code 1', false]);
  });

  it('keeps a `Dockerfile:N` line as the snippet header, and lets a later `ERROR:` line win', () => {
    const b = parsePlainLog([
      '#1 [1/1] RUN false', '#1 ERROR: exit code: 1', '------', ' > [1/1] RUN false:', '------',
      'docker/app.Dockerfile:3', '--------------------', '   3 | >>> RUN false', '--------------------',
      'exit code: 1', 'ERROR: failed to solve: exit code: 1', 'trailing noise',
    ].join('\n') + '\n');
    expect(b.errorExcerpt.slice(3)).toEqual(['docker/app.Dockerfile:3', '--------------------', '   3 | >>> RUN false', '--------------------']);
    expect(b.error).toBe('failed to solve: exit code: 1');
  });
});
