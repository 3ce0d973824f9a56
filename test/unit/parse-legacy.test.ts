import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLegacyParser, parseLegacyLog } from '../../src/core/parse/legacy.js';
import { parseRawJsonLog } from '../../src/core/parse/rawjson.js';
import { parseLog } from '../../src/core/parse/detect.js';
import type { Build, Step } from '../../src/core/model.js';

const FIXTURES = join(process.cwd(), 'test/fixtures');
const read = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
const recorded = (name: string): Build => parseLegacyLog(read(`recorded/${name}`));
const hand = (name: string): Build => parseLegacyLog(read(`legacy/${name}`));

function step(build: Build, id: string): Step {
  const s = build.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
}

function feed(lines: Array<[string, number?]>): Build {
  const p = createLegacyParser();
  for (const [l, at] of lines) p.line(l, at);
  return p.end(false);
}

describe('legacy parser on recorded builds (engine 26, DOCKER_BUILDKIT=0)', () => {
  const edit = recorded('node-app.legacy.edit.log');

  it('reads every step with the legacy step number as id', () => {
    expect(edit.steps.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    expect(edit.steps.every((s) => !s.internal)).toBe(true);
    expect(edit.format).toBe('legacy');
    expect(edit.builder.kind).toBe('legacy');
    expect(edit.contextBytes).toBe(6656);
    expect([edit.error, edit.incomplete, edit.startedAt, edit.durationMs]).toEqual([null, false, null, null]);
  });

  it('tells cached from executed steps; the text carries no durations', () => {
    expect([step(edit, '2').instruction, step(edit, '2').status, step(edit, '2').durationMs]).toEqual(['WORKDIR /app', 'cached', 0]);
    expect(step(edit, '7').status).toBe('cached');
    const npmCi = step(edit, '4');
    expect([npmCi.name, npmCi.status, npmCi.durationMs]).toEqual(['[build 4/5] RUN npm ci', 'done', null]);
    expect(step(edit, '1').status).toBe('done'); // FROM ends with ` ---> id` directly
    expect(step(edit, '3').status).toBe('done');
  });

  it('names stages as BuildKit does: `AS build`, then `stage-1` for the unnamed one', () => {
    expect(edit.steps.map((s) => s.stage)).toEqual(['build', 'build', 'build', 'build', 'build', 'stage-1', 'stage-1', 'stage-1', 'stage-1', 'stage-1', 'stage-1']);
    expect(step(edit, '6').name).toBe('[stage-1 1/4] FROM localbase/busybox');
    const env = step(edit, '10');
    expect([env.name, env.index, env.total, env.instruction]).toEqual(['ENV NODE_ENV=production', null, null, 'ENV NODE_ENV=production']);
  });

  it('numbers steps like BuildKit, so legacy and BuildKit steps line up', () => {
    const rawjson = parseRawJsonLog(read('recorded/node-app.rawjson.edit.log'));
    const nonFrom = (b: Build): string[] => b.steps.filter((s) => s.index !== null && !s.instruction!.startsWith('FROM ')).map((s) => s.name).sort();
    expect(nonFrom(edit)).toEqual(nonFrom(rawjson));
    expect(nonFrom(edit)).toHaveLength(7);
  });

  it('reads a fully cached rebuild', () => {
    const cached = recorded('node-app.legacy.cached.log');
    for (const s of cached.steps) expect([s.id, s.status]).toEqual([s.id, s.instruction!.startsWith('FROM ') ? 'done' : 'cached']);
  });

  it('reads a failed RUN: output without colour codes, the error on the step and the build', () => {
    const fail = recorded('fail.legacy.log');
    const run = step(fail, '2');
    expect(run.status).toBe('error');
    expect(run.output).toEqual(['compiling', "src/main.c:3: error: expected ';'"]);
    expect(run.error).toMatch(/^The command '\/bin\/sh -c echo "compiling".*' returned a non-zero code: 2$/);
    expect(fail.error).toBe(run.error);
    expect(fail.incomplete).toBe(false);
    expect(fail.steps).toHaveLength(2);
    expect(fail.contextBytes).toBe(2048);
    // the log stops at step 2 of 3: the stage total is unknown
    expect([run.index, run.total]).toEqual([2, null]);
  });

  it('is what parseLog detects and returns for a legacy log', () => {
    const b = parseLog(read('recorded/node-app.legacy.cold.log'));
    expect(b.format).toBe('legacy');
    expect(b).toEqual(recorded('node-app.legacy.cold.log'));
  });
});

describe('legacy parser on hand-written logs', () => {
  it('reads Docker <= 1.12 `Step N :` lines, old sizes, pull lines and build-arg warnings', () => {
    const b = hand('step-no-total.legacy.log');
    expect(b.contextBytes).toBe(60930);
    expect(b.steps.map((s) => s.name)).toEqual([
      '[1/4] FROM node:6', 'ENV NODE_ENV production', '[2/4] WORKDIR /app', '[3/4] COPY package.json .', '[4/4] RUN npm install', 'CMD node server.js',
    ]);
    expect(b.steps.map((s) => s.status)).toEqual(['done', 'done', 'cached', 'done', 'done', 'done']);
    expect(b.steps.every((s) => s.stage === null)).toBe(true);
    expect(step(b, '1').output).toEqual([]); // pull progress is not output
    expect(step(b, '5').output).toEqual([
      'npm WARN deprecated left-pad@1.1.3', 'npm ERR! peer dep missing: react@15', 'added 120 packages in 8.4s', 'npm notice New minor version of npm available',
    ]);
    expect(b.warnings).toEqual([{ message: 'One or more build-args [VERSION] were not consumed', stepId: null, line: null }]);
    expect([b.error, b.incomplete]).toEqual([null, false]);
  });

  it('reads a bare daemon error (COPY failed) and multi-stage numbering', () => {
    const b = hand('copy-failed.legacy.log');
    expect(b.contextBytes).toBe(3_054_000);
    const copy = step(b, '6');
    expect([copy.status, copy.error]).toEqual(['error', 'COPY failed: stat app: file does not exist']);
    expect(b.error).toBe('COPY failed: stat app: file does not exist');
    expect(step(b, '1')).toMatchObject({ name: 'ARG GO_VERSION=1.22', stage: null, index: null, status: 'done' });
    expect(b.steps.slice(1).map((s) => s.name)).toEqual([
      '[stage-0 1/3] FROM golang:${GO_VERSION}', '[stage-0 2/3] WORKDIR /src', '[stage-0 3/3] RUN go mod download',
      '[runtime 1/?] FROM alpine:3.19 AS Runtime', '[runtime 2/?] COPY --from=0 /src/app /usr/local/bin/app',
    ]);
    expect([step(b, '3').status, step(b, '4').status]).toEqual(['cached', 'cached']);
    expect(b.incomplete).toBe(false);
  });

  it('times steps from the arrival of lines when the caller passes atMs', () => {
    const t = 1_700_000_000_000;
    const b = feed([
      ['Sending build context to Docker daemon  2.048kB', t],
      ['Step 1/3 : FROM alpine:3.19', t],
      [' ---> 0d54b885dc70', t + 200],
      ['Step 2/3 : RUN apk add git', t + 300],
      [' ---> Using cache', t + 300],
      [' ---> e1c50f7f0020', t + 310],
      ['Step 3/3 : RUN make', t + 400],
      [' ---> Running in 45def427bdd8', t + 450],
      ['compiling', t + 2000],
      [' ---> Removed intermediate container 45def427bdd8', t + 4000],
      [' ---> 6c4a5fc9a688', t + 4100],
      ['Successfully built 6c4a5fc9a688', t + 4400],
      ['Successfully tagged app:latest', t + 4500],
    ]);
    expect(b.steps.map((s) => [s.id, s.status, s.startMs, s.endMs, s.durationMs])).toEqual([
      ['1', 'done', 0, 300, 300],
      ['2', 'cached', 300, 300, 0],
      ['3', 'done', 400, 4400, 4000], // until `Successfully built`
    ]);
    expect(b.startedAt).toBe(new Date(t).toISOString());
    expect(b.durationMs).toBe(4500);
  });

  it('times a failed step up to its error', () => {
    const b = feed([
      ['Step 1/2 : FROM alpine', 0],
      [' ---> 0d54b885dc70', 10],
      ['Step 2/2 : RUN false', 500],
      [' ---> Running in 45def427bdd8', 600],
      ["The command '/bin/sh -c false' returned a non-zero code: 1", 2500],
    ]);
    expect([step(b, '1').durationMs, step(b, '2').status, step(b, '2').durationMs]).toEqual([500, 'error', 2000]);
  });

  it('marks a log cut inside a step incomplete', () => {
    const b = feed([['Step 1/2 : FROM alpine'], [' ---> 0d54b885dc70'], ['Step 2/2 : RUN make'], [' ---> Running in abc123def456'], ['cc -c main.c']]);
    expect([step(b, '2').status, step(b, '2').durationMs, step(b, '2').output]).toEqual(['incomplete', null, ['cc -c main.c']]);
    expect(b.incomplete).toBe(true);
  });

  it('reads Docker 1.x errors written through the Go logger', () => {
    const b = feed([['Step 0 : FROM ubuntu:14.04'], [' ---> 6b4e8a7373fe'], ['Step 1 : RUN false'], [' ---> Running in c96cbe4e9b7c'], ['2014/10/15 00:39:29 The command [/bin/sh -c false] returned a non-zero code: 1']]);
    expect(step(b, '0').instruction).toBe('FROM ubuntu:14.04');
    expect(step(b, '1').status).toBe('error');
    expect(b.error).toBe('The command [/bin/sh -c false] returned a non-zero code: 1');
  });

  it('does not take container output that says `failed to …` for a daemon error', () => {
    const b = feed([['Step 1/2 : FROM alpine'], [' ---> 0d54b885dc70'], ['Step 2/2 : RUN ./fetch.sh'], [' ---> Running in abc123def456'], ['failed to fetch mirror, retrying'], [' ---> 6c4a5fc9a688'], ['Successfully built 6c4a5fc9a688']]);
    expect([step(b, '2').status, step(b, '2').output, b.error]).toEqual(['done', ['failed to fetch mirror, retrying'], null]);
  });

  it('never throws on garbage', () => {
    const junk: Array<[string, number?]> = [
      [' ---> Using cache'], [' ---> 0d54b885dc70'], ['Successfully built x'], ['Step x/y : nothing'], ['Step 1/1 : '], ['\u001b[91m'],
      ['Sending build context to Docker daemon  lots'], ['\u0000\u0001'], ['Step 2/1 : RUN x', Number.NaN], ['The command returned a non-zero code: 1'],
    ];
    expect(() => feed(junk)).not.toThrow();
  });
});

const REAL_LOGS = join(process.cwd(), '../shared/real-logs');
const describeReal = existsSync(REAL_LOGS) ? describe : describe.skip;
describeReal('legacy parser on the real-world corpus (../shared/real-logs)', () => {
  const logs = existsSync(REAL_LOGS) ? readdirSync(REAL_LOGS).filter((f) => /^\d+-.*(?<!\.source)\.txt$/.test(f)) : [];
  it.each(logs)('does not throw on %s', (f) => {
    expect(() => parseLegacyLog(readFileSync(join(REAL_LOGS, f), 'utf8'))).not.toThrow();
  });
  it('reads the 2014 `Step 0 :` log with its Go-logger error', () => {
    const b = parseLegacyLog(readFileSync(join(REAL_LOGS, '04-legacy-2014-step-zero-logtimestamp.txt'), 'utf8'));
    expect(b.steps[0]!.id).toBe('0');
    expect(b.steps.filter((s) => s.status === 'cached')).toHaveLength(5);
    expect(b.steps[b.steps.length - 1]!.status).toBe('error');
    expect(b.contextBytes).toBe(72_190);
  });
  it('reads the cut apt log: the last step is incomplete', () => {
    const b = parseLegacyLog(readFileSync(join(REAL_LOGS, '05-legacy-2018-old-ordering-apt-output.txt'), 'utf8'));
    expect(b.incomplete).toBe(true);
    expect(b.steps[b.steps.length - 1]!.output.length).toBeGreaterThan(3);
  });
});
