import { emptyBuild, newStep, type Build, type Step } from '../../src/core/model.js';
import { parseStepName } from '../../src/core/parse/step-name.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { mapStepsToDockerfile } from '../../src/core/map-steps.js';
import { matchSteps, stepKey, stepKeys } from '../../src/core/step-matcher.js';

function step(id: string, name: string): Step {
  return { ...newStep(id, name), ...parseStepName(name), status: 'done' };
}

function build(names: string[]): Build {
  const b = emptyBuild('plain', 'buildkit');
  b.steps = names.map((n, i) => step(`#${i + 1}`, n));
  return b;
}

const names = (steps: Step[]) => steps.map((s) => s.name);

describe('stepKey', () => {
  it('ignores the index and the id, keeps stage and instruction', () => {
    expect(stepKey(step('#3', '[build 3/5] RUN npm ci'))).toBe(stepKey(step('#9', '[build 4/6] RUN npm ci')));
    expect(stepKey(step('#3', '[build 3/5] RUN npm ci'))).not.toBe(stepKey(step('#3', '[test 3/5] RUN npm ci')));
    expect(stepKey(step('#3', '[build 3/5] RUN npm ci'))).not.toBe(stepKey(step('#3', '[build 3/5] RUN npm test')));
  });

  it('tells platforms and targets apart', () => {
    expect(stepKey(step('1', '[linux/amd64 build 2/3] RUN make'))).not.toBe(stepKey(step('1', '[linux/arm64 build 2/3] RUN make')));
    expect(stepKey(step('1', '[web linux/amd64 build 2/3] RUN make'))).not.toBe(stepKey(step('1', '[api linux/amd64 build 2/3] RUN make')));
  });

  it('ignores whitespace differences', () => {
    expect(stepKey(step('1', '[2/3] RUN  make   all'))).toBe(stepKey(step('1', '[2/3] RUN make all')));
  });

  it('counts occurrences within the build: the second identical RUN is another step', () => {
    const b = build(['[1/4] FROM docker.io/library/alpine:latest', '[2/4] RUN make', '[3/4] COPY . .', '[4/4] RUN make']);
    const keys = stepKeys(b);
    expect(keys.get(b.steps[1]!)).not.toBe(keys.get(b.steps[3]!));
    expect(stepKey(b.steps[3]!, b)).toBe(keys.get(b.steps[3]!));
    expect(stepKey(b.steps[3]!, b)).toMatch(/#2$/);
  });

  it('keys internal steps by name', () => {
    expect(stepKey(step('#1', '[internal] load build context'))).toBe(stepKey(step('#7', '[internal] load build context')));
    expect(stepKey(step('#1', '[internal] load build context'))).not.toBe(stepKey(step('#1', '[internal] load .dockerignore')));
  });

  it('uses the instruction as written once mapped, so a changed build-arg value is the same step', () => {
    const df = parseDockerfile('FROM alpine\nARG VERSION=1\nRUN echo ${VERSION} > /v\n');
    const one = mapStepsToDockerfile(build(['[1/2] FROM docker.io/library/alpine:latest', '[2/2] RUN echo 1 > /v']), df);
    const two = mapStepsToDockerfile(build(['[1/2] FROM docker.io/library/alpine:latest', '[2/2] RUN echo 2 > /v']), df);
    expect(stepKey(one.steps[1]!)).toBe(stepKey(two.steps[1]!));
    // Unmapped, the printed values tell them apart.
    expect(stepKey(step('1', '[2/2] RUN echo 1 > /v'))).not.toBe(stepKey(step('1', '[2/2] RUN echo 2 > /v')));
  });

  it('keeps the LINK vertex of COPY --link apart from the COPY vertex', () => {
    const df = parseDockerfile('FROM alpine\nCOPY --link a /a\n');
    const b = mapStepsToDockerfile(build(['[2/2] COPY --link a /a', '[2/2] LINK COPY --link a /a']), df);
    expect(b.steps.map((s) => s.line)).toEqual([2, 2]);
    expect(stepKey(b.steps[0]!)).not.toBe(stepKey(b.steps[1]!));
  });
});

describe('matchSteps', () => {
  it('pairs the same steps across an edit that shifted indexes, and lists added and removed ones', () => {
    const before = build([
      '[internal] load build context',
      '[build 1/4] FROM docker.io/library/node:20',
      '[build 2/4] COPY . .',
      '[build 3/4] RUN npm ci',
      '[build 4/4] RUN npm run build',
    ]);
    const after = build([
      '[internal] load build context',
      '[build 1/5] FROM docker.io/library/node:20',
      '[build 2/5] COPY package*.json ./',
      '[build 3/5] RUN npm ci',
      '[build 4/5] COPY . .',
      '[build 5/5] RUN npm run build',
    ]);
    const m = matchSteps(before, after);
    expect(m.pairs.map((p) => [p.before.name, p.after.name])).toEqual([
      ['[internal] load build context', '[internal] load build context'],
      ['[build 1/4] FROM docker.io/library/node:20', '[build 1/5] FROM docker.io/library/node:20'],
      ['[build 3/4] RUN npm ci', '[build 3/5] RUN npm ci'],
      ['[build 2/4] COPY . .', '[build 4/5] COPY . .'],
      ['[build 4/4] RUN npm run build', '[build 5/5] RUN npm run build'],
    ]);
    expect(names(m.added)).toEqual(['[build 2/5] COPY package*.json ./']);
    expect(names(m.removed)).toEqual([]);
  });

  it('pairs repeated instructions by occurrence and reports the extra one', () => {
    const before = build(['[1/3] FROM docker.io/library/alpine:latest', '[2/3] RUN make', '[3/3] RUN make']);
    const after = build(['[1/2] FROM docker.io/library/alpine:latest', '[2/2] RUN make']);
    const m = matchSteps(before, after);
    expect(m.pairs.map((p) => [p.before.id, p.after.id])).toEqual([['#1', '#1'], ['#2', '#2']]);
    expect(m.removed.map((s) => s.id)).toEqual(['#3']);
    expect(m.added).toEqual([]);
  });

  it('matches nothing across different stages', () => {
    const m = matchSteps(build(['[a 2/2] RUN make']), build(['[b 2/2] RUN make']));
    expect([m.pairs.length, m.added.length, m.removed.length]).toEqual([0, 1, 1]);
  });
});
