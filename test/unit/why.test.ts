import { parseDockerfile } from '../../src/core/dockerfile.js';
import { FINGERPRINTS_VERSION, fileDigest, stepModel, type Fingerprints } from '../../src/core/fingerprint.js';
import type { Report, ReportStep } from '../../src/core/report/report.js';
import { renderWhyJson, renderWhyMarkdown, renderWhyTable } from '../../src/core/report/render-why.js';
import { causeText, explainRebuild, rootCauseText } from '../../src/core/why.js';
import { hashArgValue } from '../../src/io/fingerprint.js';

const DOCKERFILE = [
  'FROM localbase/toolchains AS build', // 1
  'WORKDIR /app', // 2
  'COPY package.json package-lock.json ./', // 3
  'ARG VERSION', // 4
  'RUN npm ci', // 5
  'COPY src ./src', // 6
  'RUN npm run build', // 7
  'FROM localbase/busybox', // 8
  'COPY --from=build /app/dist /dist', // 9
  '',
].join('\n');

const FILES = {
  'package.json': fileDigest('p1', 0o644, false),
  'package-lock.json': fileDigest('l1', 0o644, false),
  'src/a.js': fileDigest('a1', 0o644, false),
  'src/run.sh': fileDigest('r1', 0o755, false),
};

interface Side {
  dockerfile?: string;
  args?: Record<string, string>;
  salt?: string;
  files?: Record<string, string>;
  images?: Record<string, string>;
  flags?: Partial<Fingerprints['flags']>;
  builder?: Fingerprints['builder'];
  hostId?: string;
  ran?: number[];
}

function fingerprints(side: Side): Fingerprints {
  const salt = side.salt ?? 'salt';
  const steps = stepModel(parseDockerfile(side.dockerfile ?? DOCKERFILE), {
    target: null,
    buildArgs: Object.entries(side.args ?? {}).map(([name, value]) => ({ name, value })),
    hashArg: (n, v) => hashArgValue(salt, n, v),
    digestText: (t) => String(t.length),
  });
  for (const s of steps) if (s.image) s.image.imageId = side.images?.[s.image.ref] ?? `sha256:${s.image.ref.length}`;
  return {
    version: FINGERPRINTS_VERSION,
    saltId: `id-${salt}`,
    hostId: side.hostId ?? 'host',
    builder: side.builder ?? { name: 'default', driver: 'docker' },
    flags: { noCache: false, noCacheFilter: [], cacheFrom: [], pull: false, ...side.flags },
    target: null,
    platform: null,
    files: side.files ?? FILES,
    steps,
  };
}

function report(side: Side): Report {
  const fp = fingerprints(side);
  const steps: ReportStep[] = fp.steps.map((s, i) => ({
    id: String(i + 1), digest: null, name: s.text, target: null, platform: null, stage: s.stageName, index: null, total: null,
    instruction: s.text, line: s.line, sourceText: s.text, status: side.ran?.includes(s.line) ? 'done' : 'cached',
    durationMs: side.ran?.includes(s.line) ? 2000 : 0, startMs: null, endMs: null, internal: false, inputs: [], output: [], outputDropped: 0, error: null,
  }));
  return { schemaVersion: 1, startedAt: null, steps, fingerprints: fp } as unknown as Report;
}

const kinds = (before: Side, after: Side) => explainRebuild(report(before), report(after)).explained.map((e) => [e.line, e.cause.kind]);

describe('explainRebuild', () => {
  it('files-changed: the lockfile, and the steps after it through the chain', () => {
    const why = explainRebuild(report({}), report({ files: { ...FILES, 'package-lock.json': fileDigest('l2', 0o644, false) }, ran: [3, 5, 6, 7] }));
    expect(why.explained.map((e) => [e.line, e.cause.kind])).toEqual([[3, 'files-changed'], [5, 'parent-rebuilt'], [6, 'parent-rebuilt'], [7, 'parent-rebuilt']]);
    expect(why.explained[0]!.cause.files).toEqual({ changes: [{ path: 'package-lock.json', change: 'content' }], total: 1 });
    expect(rootCauseText(why.explained[1]!.cause)).toBe('`package-lock.json` changed');
    expect(causeText(why.explained[3]!.cause)).toBe('line 6 `COPY src ./src` ran, because line 3 `COPY package.json package-lock.json ./` ran: `package-lock.json` changed');
  });

  it('files-changed: a mode alone, and files added and removed, the first few named', () => {
    const mode = explainRebuild(report({}), report({ files: { ...FILES, 'src/a.js': fileDigest('a1', 0o755, false) }, ran: [6] }));
    expect(causeText(mode.explained[0]!.cause)).toBe('the mode of `src/a.js` changed');
    const many: Record<string, string> = { ...FILES };
    for (let i = 0; i < 8; i++) many[`src/new${i}.js`] = fileDigest(`n${i}`, 0o644, false);
    const added = explainRebuild(report({}), report({ files: many, ran: [6] }));
    expect(added.explained[0]!.cause.files!.total).toBe(8);
    expect(causeText(added.explained[0]!.cause)).toMatch(/^`src\/new0\.js`, .*`src\/new4\.js` and 3 more files were added$/);
  });

  it('build-arg-changed names the ARG in scope, never its value; an ARG out of scope changes nothing', () => {
    const why = explainRebuild(report({ args: { VERSION: 'one-secret' } }), report({ args: { VERSION: 'two-secret' }, ran: [5, 6, 7] }));
    expect(why.explained[0]!.cause).toEqual({ kind: 'build-arg-changed', args: ['VERSION'] });
    for (const text of [renderWhyTable(why), renderWhyMarkdown(why), renderWhyJson(why)]) {
      expect(text).toContain('VERSION');
      expect(text).not.toMatch(/one-secret|two-secret/);
    }
    // OTHER is declared nowhere: nothing ran, nothing to explain.
    const none = explainRebuild(report({ args: { OTHER: 'a' } }), report({ args: { OTHER: 'b' } }));
    expect(none.executed).toBe(0);
    expect(renderWhyTable(none)).toMatch(/nothing to explain/);
  });

  it('instruction-changed gives the line, old and new text', () => {
    const why = explainRebuild(report({}), report({ dockerfile: DOCKERFILE.replace('RUN npm ci', 'RUN npm ci --omit=dev'), ran: [5, 6, 7] }));
    expect(why.explained[0]!.cause).toEqual({ kind: 'instruction-changed', instruction: { line: 5, before: 'RUN npm ci', after: 'RUN npm ci --omit=dev' } });
    expect(why.explained[1]!.cause.kind).toBe('parent-rebuilt');
  });

  it('base-image-changed names the FROM and the images; a later stage copying from a rebuilt one is parent-rebuilt', () => {
    const why = explainRebuild(report({}), report({ images: { 'docker.io/localbase/toolchains:latest': 'sha256:ffff' }, ran: [2, 3, 5, 6, 7, 9] }));
    expect(why.explained[0]!.cause.kind).toBe('base-image-changed');
    expect(why.explained[0]!.cause.image!.after.imageId).toBe('sha256:ffff');
    expect(causeText(why.explained[0]!.cause)).toMatch(/the image of line 1 changed: `docker\.io\/localbase\/toolchains:latest \(\w+\)` -> `docker\.io\/localbase\/toolchains:latest \(ffff\)`/);
    const copy = why.explained.find((e) => e.line === 9)!;
    expect(copy.cause.kind).toBe('parent-rebuilt');
    expect(copy.cause.parent!.line).toBe(7);
    expect(rootCauseText(copy.cause)).toMatch(/^the image of line 1 changed/);
  });

  it('cache-unavailable: --no-cache, another builder, a fresh runner with and without --cache-from, else pruned or evicted', () => {
    const ev = (after: Side) => explainRebuild(report({}), report({ ran: [2], ...after })).explained[0]!.cause.evidence;
    expect(ev({ flags: { noCache: true } })).toEqual(['no-cache']);
    expect(ev({ flags: { noCacheFilter: ['build'] } })).toEqual(['no-cache-filter']);
    expect(ev({ builder: { name: 'ci', driver: 'docker-container' } })).toEqual(['different-builder']);
    expect(ev({ hostId: 'runner' })).toEqual(['no-cache-imported']);
    expect(ev({ hostId: 'runner', flags: { cacheFrom: ['type=gha'] } })).toEqual(['cache-import-missed']);
    expect(ev({})).toEqual(['pruned-or-evicted']);
  });

  it('reports with different salts: build-arg comparison unknown, never a guess', () => {
    const why = explainRebuild(report({ args: { VERSION: '1' }, salt: 'a' }), report({ args: { VERSION: '1' }, salt: 'b', ran: [5] }));
    expect(why.buildArgs).toBe('unknown');
    expect(why.notes.join(' ')).toMatch(/build-arg comparison unknown/);
    expect(why.explained[0]!.cause.kind).toBe('unknown');
  });

  it('an unchanged rebuild has nothing to explain; a report without fingerprints says so', () => {
    expect(kinds({}, {})).toEqual([]);
    const old = { ...report({}), fingerprints: null } as Report;
    const why = explainRebuild(old, report({ ran: [5] }));
    expect(why.explained[0]!.cause).toMatchObject({ kind: 'unknown' });
    expect(why.notes[0]).toMatch(/BEFORE has no fingerprints/);
    const neither = explainRebuild(old, { ...report({ ran: [5] }), fingerprints: null } as Report);
    expect(neither.notes).toEqual(['Cannot explain: neither report has fingerprints (they were not written by `buildlens build` of this version).']);
    expect(neither.explained[0]!.cause).toEqual({ kind: 'unknown', reason: 'no fingerprints to compare' });
  });

  it('renders a table and markdown whose verdict names the root causes', () => {
    const why = explainRebuild(report({}), report({ files: { ...FILES, 'package-lock.json': fileDigest('l2', 0o644, false) }, ran: [3, 5] }), { beforeFile: 'a.json', afterFile: 'b.json' });
    const table = renderWhyTable(why);
    expect(table).toMatch(/^buildlens why: 2 of 8 steps ran\n/);
    expect(table).toMatch(/ {3}5 {2}build {2}RUN npm ci +2\.0s {2}parent-rebuilt/);
    const md = renderWhyMarkdown(why);
    expect(md.split('\n')[0]).toBe('**buildlens why**: 2 of 8 steps ran; root cause: `package-lock.json` changed.');
    expect(md).toContain('| 5 | build | `RUN npm ci` | 2.0s | **parent-rebuilt**:');
    expect(JSON.parse(renderWhyJson(why)).explained).toHaveLength(2);
  });
});
