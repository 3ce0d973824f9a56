import { readFileSync } from 'node:fs';
import { emptyBuild, newStep, type Build, type Step } from '../../src/core/model.js';
import { parseStepName } from '../../src/core/parse/step-name.js';
import { parseLog } from '../../src/core/parse/detect.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { countedInstructions, mapStepsToDockerfile, normaliseImageRef, textMatches } from '../../src/core/map-steps.js';

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');
const nodeApp = parseDockerfile(read('../../samples/node-app/Dockerfile'));

/** A step as a BuildKit log names it: `[stage i/n] INSTR`. */
function step(id: string, name: string): Step {
  return { ...newStep(id, name), ...parseStepName(name), status: 'done' };
}

function build(names: string[], format: Build['format'] = 'plain'): Build {
  const b = emptyBuild(format, format === 'legacy' ? 'legacy' : 'buildkit');
  b.steps = names.map((n, i) => step(String(i + 1), n));
  return b;
}

const lines = (b: Build) => b.steps.map((s) => [s.name, s.line]);

// The vertices of test/fixtures/recorded/node-app.plain.cold.log, in log order.
const NODE_APP_PLAIN = [
  '[internal] load build definition from Dockerfile',
  '[internal] load metadata for docker.io/localbase/toolchains:latest',
  '[internal] load metadata for docker.io/localbase/busybox:latest',
  '[internal] load .dockerignore',
  '[stage-1 1/4] FROM docker.io/localbase/busybox:latest',
  '[build 1/5] FROM docker.io/localbase/toolchains:latest',
  '[stage-1 2/4] WORKDIR /srv',
  '[internal] load build context',
  '[build 2/5] WORKDIR /app',
  '[build 3/5] COPY . .',
  '[build 4/5] RUN npm ci',
  '[build 5/5] RUN npm run build && sleep 1',
  '[stage-1 3/4] COPY --from=build /app/dist ./dist',
  '[stage-1 4/4] COPY --from=build /app/package.json ./',
  'exporting to image',
];

const NODE_APP_LINES = [
  ['[internal] load build definition from Dockerfile', null],
  ['[internal] load metadata for docker.io/localbase/toolchains:latest', null],
  ['[internal] load metadata for docker.io/localbase/busybox:latest', null],
  ['[internal] load .dockerignore', null],
  ['[stage-1 1/4] FROM docker.io/localbase/busybox:latest', 9],
  ['[build 1/5] FROM docker.io/localbase/toolchains:latest', 3],
  ['[stage-1 2/4] WORKDIR /srv', 10],
  ['[internal] load build context', null],
  ['[build 2/5] WORKDIR /app', 4],
  ['[build 3/5] COPY . .', 5],
  ['[build 4/5] RUN npm ci', 6],
  ['[build 5/5] RUN npm run build && sleep 1', 7],
  ['[stage-1 3/4] COPY --from=build /app/dist ./dist', 11],
  ['[stage-1 4/4] COPY --from=build /app/package.json ./', 12],
  ['exporting to image', null],
];

describe('mapStepsToDockerfile on the node-app sample', () => {
  it('maps BuildKit steps by stage and index', () => {
    expect(lines(mapStepsToDockerfile(build(NODE_APP_PLAIN), nodeApp))).toEqual(NODE_APP_LINES);
  });

  it('fills sourceText with the instruction as written', () => {
    const mapped = mapStepsToDockerfile(build(NODE_APP_PLAIN), nodeApp);
    const byName = (n: string) => mapped.steps.find((s) => s.name === n);
    expect(byName('[build 1/5] FROM docker.io/localbase/toolchains:latest')?.sourceText).toBe('FROM localbase/toolchains AS build');
    expect(byName('[build 4/5] RUN npm ci')?.sourceText).toBe('RUN npm ci');
    expect(byName('[stage-1 3/4] COPY --from=build /app/dist ./dist')?.sourceText).toBe('COPY --from=build /app/dist ./dist');
    expect(byName('[internal] load build context')?.sourceText).toBeNull();
  });

  it('does not change the build it is given', () => {
    const input = build(NODE_APP_PLAIN);
    const before = JSON.parse(JSON.stringify(input)) as Build;
    const out = mapStepsToDockerfile(input, nodeApp);
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
    expect(out.steps[10]).not.toBe(input.steps[10]);
  });

  it('maps legacy steps, and ENV/CMD (no index) by order of occurrence', () => {
    // As the legacy parser reports test/fixtures/recorded/node-app.legacy.edit.log: BuildKit-style
    // stage and index, and no index for instructions BuildKit does not number.
    const legacy = emptyBuild('legacy', 'legacy');
    const rows: Array<[string | null, number | null, string]> = [
      ['build', 1, 'FROM localbase/toolchains AS build'],
      ['build', 2, 'WORKDIR /app'],
      ['build', 3, 'COPY . .'],
      ['build', 4, 'RUN npm ci'],
      ['build', 5, 'RUN npm run build && sleep 1'],
      ['stage-1', 1, 'FROM localbase/busybox'],
      ['stage-1', 2, 'WORKDIR /srv'],
      ['stage-1', 3, 'COPY --from=build /app/dist ./dist'],
      ['stage-1', 4, 'COPY --from=build /app/package.json ./'],
      ['stage-1', null, 'ENV NODE_ENV=production'],
      ['stage-1', null, 'CMD ["node", "dist/server.js"]'],
    ];
    legacy.steps = rows.map(([stage, index, instruction], i) => ({
      ...newStep(String(i + 1), instruction), stage, index, instruction, internal: false, status: 'done' as const,
    }));
    const mapped = mapStepsToDockerfile(legacy, nodeApp);
    expect(mapped.steps.map((s) => s.line)).toEqual([3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14]);
    expect(mapped.steps[10]?.sourceText).toBe('CMD ["node", "dist/server.js"]');
  });

  it('falls back to the one instruction with the same text when the index points elsewhere', () => {
    // The Dockerfile gained a line since the build: `[build 4/5] RUN npm ci` is now the 5th.
    const edited = parseDockerfile('FROM localbase/toolchains AS build\nWORKDIR /app\nCOPY package.json ./\nCOPY . .\nRUN npm ci\n\nFROM localbase/busybox\nCOPY --from=build /app /app\n');
    const mapped = mapStepsToDockerfile(build(['[build 4/5] RUN npm ci', '[build 3/5] COPY . .', '[build 5/5] RUN make']), edited);
    expect(mapped.steps.map((s) => s.line)).toEqual([5, 4, null]);
  });

  it('leaves a step unmapped when its stage is unknown or the text matches nothing', () => {
    const mapped = mapStepsToDockerfile(build(['[tests 2/3] RUN npm test', '[build 4/5] RUN npm test']), nodeApp);
    expect(mapped.steps.map((s) => [s.line, s.sourceText])).toEqual([[null, null], [null, null]]);
  });
});

describe('mapStepsToDockerfile: BuildKit numbering', () => {
  it('maps a single-stage build (no stage in brackets)', () => {
    const df = parseDockerfile('FROM node:20\nWORKDIR /app\nENV CI=1\nCOPY . .\nRUN npm ci\n');
    const mapped = mapStepsToDockerfile(build(['[1/4] FROM docker.io/library/node:20@sha256:0123abcd', '[2/4] WORKDIR /app', '[3/4] COPY . .', '[4/4] RUN npm ci']), df);
    expect(mapped.steps.map((s) => s.line)).toEqual([1, 2, 4, 5]);
  });

  it('does not number FROM scratch, FROM <earlier stage> or WORKDIR /', () => {
    const df = parseDockerfile('FROM golang:1.22 AS build\nRUN go build -o /out/app\n\nFROM build AS test\nRUN go test ./...\n\nFROM scratch\nWORKDIR /\nCOPY --from=build /out/app /app\n');
    const mapped = mapStepsToDockerfile(build([
      '[build 1/2] FROM docker.io/library/golang:1.22',
      '[build 2/2] RUN go build -o /out/app',
      '[test 1/1] RUN go test ./...',
      '[stage-2 1/2] COPY --from=build /out/app /app',
    ]), df);
    expect(mapped.steps.map((s) => s.line)).toEqual([1, 2, 5, 9]);
    expect(df.stages.map((st) => countedInstructions(st, df).map((i) => i.line))).toEqual([[1, 2], [5], [9]]);
  });

  it('tells repeated instructions apart by index alone', () => {
    const df = parseDockerfile('FROM alpine AS build\nRUN make\nFROM build AS again\nRUN make\nRUN make\nFROM scratch\nCOPY --from=again /a /a\nCOPY --from=again /a /a\n');
    const mapped = mapStepsToDockerfile(build([
      '[build 2/2] RUN make', '[again 1/2] RUN make', '[again 2/2] RUN make', '[stage-2 2/2] COPY --from=again /a /a', '[stage-2 1/2] COPY --from=again /a /a',
    ]), df);
    expect(mapped.steps.map((s) => s.line)).toEqual([2, 4, 5, 8, 7]);
  });

  it('numbers FROM when its base is an ARG naming an image, not when it names an earlier stage', () => {
    const df = parseDockerfile('ARG BASE=build\nARG IMG=alpine\nFROM ${IMG} AS build\nRUN make\nFROM ${BASE}\nRUN make\nRUN make\n');
    expect(df.stages.map((st) => countedInstructions(st, df).map((i) => i.line))).toEqual([[3, 4], [6, 7]]);
  });

  it('matches text BuildKit printed with ARG and ENV values expanded', () => {
    const df = parseDockerfile('ARG NODE=20\nFROM node:${NODE}-alpine AS base\nARG APP_DIR=/srv/app\nWORKDIR $APP_DIR\nENV PORT=8080\nRUN echo "listening on ${PORT}" > /etc/port\nCOPY --chown=node:node . ${APP_DIR}\n');
    const mapped = mapStepsToDockerfile(build([
      '[1/4] FROM docker.io/library/node:20-alpine',
      '[2/4] WORKDIR /srv/app',
      '[3/4] RUN echo "listening on 8080" > /etc/port',
      '[4/4] COPY --chown=node:node . /srv/app',
    ]), df);
    expect(mapped.steps.map((s) => [s.line, s.sourceText])).toEqual([
      [2, 'FROM node:${NODE}-alpine AS base'],
      [4, 'WORKDIR $APP_DIR'],
      [6, 'RUN echo "listening on ${PORT}" > /etc/port'],
      [7, 'COPY --chown=node:node . ${APP_DIR}'],
    ]);
  });

  it('matches continuation lines, heredoc summaries and COPY --link vertices', () => {
    const df = parseDockerfile('FROM alpine:3.20\nRUN apk add --no-cache \\\n      curl \\\n      git\nRUN <<EOF\nset -e\necho hi\nEOF\nCOPY --link app /app\n');
    const mapped = mapStepsToDockerfile(build([
      '[1/4] FROM docker.io/library/alpine:3.20',
      '[2/4] RUN apk add --no-cache       curl       git',
      '[3/4] RUN <<EOF (set -e...)',
      '[4/4] COPY --link app /app',
      '[4/4] LINK COPY --link app /app',
    ]), df);
    expect(mapped.steps.map((s) => s.line)).toEqual([1, 2, 5, 9, 9]);
  });

  it('maps each platform of a multi-platform build to the same line', () => {
    const df = parseDockerfile('FROM alpine AS build\nRUN make\nFROM alpine\nCOPY --from=build /x /x\n');
    const mapped = mapStepsToDockerfile(build([
      '[linux/amd64 build 2/2] RUN make',
      '[linux/arm64 build 2/2] RUN make',
      '[linux/arm64 stage-1 2/2] COPY --from=build /x /x',
    ]), df);
    expect(mapped.steps.map((s) => s.line)).toEqual([2, 2, 4]);
  });
});

describe('textMatches and normaliseImageRef', () => {
  const df = parseDockerfile('FROM node\nFROM ghcr.io/acme/base:1.2 AS b\nFROM localhost:5000/x@sha256:aa\nRUN  echo   a\n');
  const [fromNode, fromGhcr, fromLocal, run] = df.instructions;

  it('normalises Docker Hub references', () => {
    expect(normaliseImageRef('node')).toBe('docker.io/library/node:latest');
    expect(normaliseImageRef('bitnami/redis:7')).toBe('docker.io/bitnami/redis:7');
    expect(normaliseImageRef('ghcr.io/acme/base')).toBe('ghcr.io/acme/base:latest');
    expect(normaliseImageRef('localhost:5000/x@sha256:aa')).toBe('localhost:5000/x@sha256:aa');
  });

  it('compares FROM by image reference, ignoring a digest BuildKit added', () => {
    expect(textMatches('FROM docker.io/library/node:latest', fromNode!)).toBe(true);
    expect(textMatches('FROM docker.io/library/node:latest@sha256:ff', fromNode!)).toBe(true);
    expect(textMatches('FROM docker.io/library/node:20', fromNode!)).toBe(false);
    expect(textMatches('FROM ghcr.io/acme/base:1.2', fromGhcr!)).toBe(true);
    expect(textMatches('FROM localhost:5000/x@sha256:aa', fromLocal!)).toBe(true);
    expect(textMatches('FROM localhost:5000/x@sha256:bb', fromLocal!)).toBe(false);
  });

  it('compares keyword and whitespace-normalised text', () => {
    expect(textMatches('RUN echo a', run!)).toBe(true);
    expect(textMatches('run  echo a ', run!)).toBe(true);
    expect(textMatches('COPY echo a', run!)).toBe(false);
    expect(textMatches('RUN echo b', run!)).toBe(false);
  });
});

// Real recorded logs through the real parsers (skipped while a parser is still a stub).
describe.each([
  ['plain', 'node-app.plain.cold.log'],
  ['rawjson', 'node-app.rawjson.cold.log'],
  ['legacy', 'node-app.legacy.edit.log'],
])('mapStepsToDockerfile on the recorded %s log', (_format, file) => {
  const parsed = parseLog(read(`../fixtures/recorded/${file}`));
  const itIfParsed = parsed.steps.length > 0 ? it : it.skip;

  itIfParsed('maps every instruction step to its line', () => {
    const mapped = mapStepsToDockerfile(parsed, nodeApp);
    const got = new Map(mapped.steps.filter((s) => !s.internal).map((s) => [s.sourceText, s.line]));
    expect(got.get('RUN npm ci')).toBe(6);
    expect(got.get('FROM localbase/toolchains AS build')).toBe(3);
    expect(got.get('WORKDIR /app')).toBe(4);
    expect(got.get('COPY . .')).toBe(5);
    expect(got.get('RUN npm run build && sleep 1')).toBe(7);
    expect(got.get('FROM localbase/busybox')).toBe(9);
    expect(got.get('WORKDIR /srv')).toBe(10);
    expect(got.get('COPY --from=build /app/dist ./dist')).toBe(11);
    expect(got.get('COPY --from=build /app/package.json ./')).toBe(12);
    expect(mapped.steps.filter((s) => !s.internal && s.instruction !== null && s.line === null)).toEqual([]);
  });
});

describe('steps BuildKit shared with a concurrent build', () => {
  it('are mapped by their text when it is unique in the Dockerfile, and take its stage', () => {
    // Names another build gave the same vertexes (its stage `deps`, its `[1/4]`).
    const b = mapStepsToDockerfile(build([
      '[1/4] FROM docker.io/localbase/toolchains:latest',
      '[deps 2/4] WORKDIR /app',
      '[build 3/5] COPY . .',
      '[build 4/5] RUN npm ci',
    ]), nodeApp);
    expect(b.steps.map((s) => [s.line, s.stage])).toEqual([[3, 'build'], [4, 'build'], [5, 'build'], [6, 'build']]);
  });

  it('take only an instruction no other step took; of identical ones, the first', () => {
    const df = parseDockerfile('FROM localbase/busybox AS a\nRUN make\nFROM localbase/busybox AS b\nRUN make\n');
    // `a` takes line 2; `x` can only be b's; nothing is left for `y`.
    const b = mapStepsToDockerfile(build(['[x 2/2] RUN make', '[a 2/2] RUN make', '[y 2/2] RUN make']), df);
    expect(b.steps.map((s) => [s.line, s.stage])).toEqual([[4, 'b'], [2, 'a'], [null, 'y']]);
    const two = mapStepsToDockerfile(build(['[x 2/2] RUN make']), df);
    expect(two.steps[0]!.line).toBe(2);
    const differ = parseDockerfile('FROM localbase/busybox AS a\nCOPY a.txt /x\nFROM localbase/busybox AS b\nCOPY b.txt /x\n');
    expect(mapStepsToDockerfile(build(['[x 2/2] COPY *.txt /x']), differ).steps[0]!.line).toBeNull();
  });
});

describe('a FROM BuildKit printed without its stage', () => {
  it('maps to the first FROM of that image (one vertex for both) and takes its stage', () => {
    const df = parseDockerfile('FROM localbase/busybox AS base\nRUN echo 1 > /id\nFROM base AS work\nRUN sleep 1\nFROM localbase/busybox\nCOPY --from=work /id /id\n');
    const b = mapStepsToDockerfile(build(['[1/6] FROM docker.io/localbase/busybox:latest', '[base 2/2] RUN echo 1 > /id']), df);
    expect(b.steps.map((s) => [s.line, s.stage])).toEqual([[1, 'base'], [2, 'base']]);
  });
});
