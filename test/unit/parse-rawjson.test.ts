import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRawJsonParser, parseRawJsonLog, parseTime } from '../../src/core/parse/rawjson.js';
import { parseLog } from '../../src/core/parse/detect.js';
import type { Build, Step } from '../../src/core/model.js';

const FIXTURES = join(process.cwd(), 'test/fixtures');
const read = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
const recorded = (name: string): Build => parseRawJsonLog(read(`recorded/${name}`));
const hand = (name: string): Build => parseRawJsonLog(read(`rawjson/${name}`));

function step(build: Build, name: string): Step {
  const s = build.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step named ${name}: ${build.steps.map((x) => x.name).join(', ')}`);
  return s;
}

function feed(lines: string[]): Build {
  const p = createRawJsonParser();
  for (const l of lines) p.line(l);
  return p.end(false);
}

describe('rawjson parser on recorded builds (engine 26, buildx 0.13: indented objects)', () => {
  const cold = recorded('node-app.rawjson.cold.log');

  it('times steps from started/completed', () => {
    const npmCi = step(cold, '[build 4/5] RUN npm ci');
    expect(npmCi.status).toBe('done');
    // plain shows `DONE 3.1s` for the same step
    expect(npmCi.durationMs).toBeGreaterThanOrEqual(3000);
    expect(npmCi.durationMs).toBeLessThanOrEqual(3300);
    expect(npmCi.startMs).not.toBeNull();
    expect(npmCi.endMs! - npmCi.startMs!).toBe(npmCi.durationMs);
    expect(cold.startedAt).toBe('2026-11-28T12:10:41.086Z');
    expect(cold.durationMs).toBeGreaterThan(6000);
    expect(cold.durationMs).toBeLessThan(6500);
  });

  it('reads the DAG from vertex inputs', () => {
    const copy = step(cold, '[build 3/5] COPY . .');
    expect(step(cold, '[build 4/5] RUN npm ci').inputs).toEqual([copy.id]);
    expect([...copy.inputs].sort()).toEqual([step(cold, '[build 2/5] WORKDIR /app').id, step(cold, '[internal] load build context').id].sort());
    expect(step(cold, '[stage-1 3/4] COPY --from=build /app/dist ./dist').inputs).toContain(step(cold, '[build 5/5] RUN npm run build && sleep 1').id);
  });

  it('numbers steps by first appearance and keeps the digest', () => {
    expect(cold.steps.map((s) => s.id)).toEqual(cold.steps.map((_, i) => String(i + 1)));
    expect(cold.steps[0]!.name).toBe('[internal] load build definition from Dockerfile');
    expect(cold.steps.every((s) => s.digest?.startsWith('sha256:'))).toBe(true);
    expect(new Set(cold.steps.map((s) => s.digest)).size).toBe(cold.steps.length);
  });

  it('splits names into stage, index and instruction', () => {
    const s = step(cold, '[stage-1 2/4] WORKDIR /srv');
    expect([s.stage, s.index, s.total, s.instruction, s.internal]).toEqual(['stage-1', 2, 4, 'WORKDIR /srv', false]);
    expect(step(cold, 'exporting to image').internal).toBe(true);
    expect(cold.steps.filter((s) => !s.internal)).toHaveLength(9);
  });

  it('takes the context size from `load build context` only (plain: 1.06kB), not from .dockerignore', () => {
    expect(cold.contextBytes).toBe(1056);
    expect(recorded('node-app.rawjson.cached.log').contextBytes).toBe(187);
    // the fail build has no build context vertex, only `.dockerignore` transferring 2 bytes
    expect(recorded('fail.rawjson.log').contextBytes).toBeNull();
  });

  it('reads a fully cached rebuild', () => {
    const cached = recorded('node-app.rawjson.cached.log');
    const user = cached.steps.filter((s) => !s.internal);
    expect(user).toHaveLength(9);
    for (const s of user) {
      if (s.instruction!.startsWith('FROM ')) expect(s.status).toBe('done');
      else expect([s.name, s.status, s.durationMs]).toEqual([s.name, 'cached', 0]);
    }
    expect(cached.incomplete).toBe(false);
    expect(cached.error).toBeNull();
  });

  it('reads an edit: the early WORKDIR steps stay cached, npm ci runs again', () => {
    const edit = recorded('node-app.rawjson.edit.log');
    expect(step(edit, '[build 2/5] WORKDIR /app').status).toBe('cached');
    expect(step(edit, '[stage-1 2/4] WORKDIR /srv').status).toBe('cached');
    const npmCi = step(edit, '[build 4/5] RUN npm ci');
    expect(npmCi.status).toBe('done');
    expect(npmCi.durationMs).toBeGreaterThanOrEqual(3000);
    expect(npmCi.durationMs).toBeLessThanOrEqual(3300);
  });

  it('reads a failed build: the step error, its output, the final error and the excerpt', () => {
    const fail = recorded('fail.rawjson.log');
    const run = fail.steps.find((s) => s.index === 2)!;
    expect(run.instruction).toMatch(/^RUN echo "compiling"/);
    expect(run.status).toBe('error');
    expect(run.output).toEqual(['compiling', "src/main.c:3: error: expected ';'"]);
    expect(run.error).toMatch(/^process "\/bin\/sh -c echo .* did not complete successfully: exit code: 2$/);
    expect(run.durationMs).toBeGreaterThanOrEqual(1000);
    expect(fail.error).toMatch(/^failed to solve: process /);
    expect(fail.errorExcerpt).toContain('Dockerfile:2');
    expect(fail.errorExcerpt).toContain('   2 | >>> RUN echo "compiling" && sleep 1 && echo "src/main.c:3: error: expected \';\'" >&2 && exit 2');
    expect(fail.errorExcerpt.some((l) => l.startsWith('ERROR'))).toBe(false);
    // `[3/3] RUN echo never` was planned but never started
    expect(fail.steps.some((s) => s.instruction === 'RUN echo never')).toBe(false);
    expect(fail.incomplete).toBe(false);
  });

  it('gives the same build whether objects are indented (0.12–0.14) or one per line (0.15+)', () => {
    const text = read('recorded/node-app.rawjson.cold.log');
    const oneLine: string[] = [];
    let acc = '';
    for (const l of text.split('\n')) {
      acc += l;
      if (l === '}') {
        oneLine.push(JSON.stringify(JSON.parse(acc)));
        acc = '';
      }
    }
    expect(oneLine.length).toBeGreaterThan(40);
    expect(feed(oneLine)).toEqual(cold);
  });

  it('is what parseLog detects and returns for a rawjson log', () => {
    const b = parseLog(read('recorded/fail.rawjson.log'));
    expect(b.format).toBe('rawjson');
    expect(b.builder.kind).toBe('buildkit');
    expect(b).toEqual(recorded('fail.rawjson.log'));
  });
});

describe('rawjson parser on hand-written logs', () => {
  const b = hand('one-per-line.rawjson.log');

  it('merges vertex updates: the last run of a restarted vertex wins', () => {
    const run = step(b, '[3/3] RUN ./build.sh');
    expect(run.status).toBe('done');
    expect(run.durationMs).toBe(1250);
    expect([run.startMs, run.endMs]).toEqual([4000, 5250]);
    expect(b.startedAt).toBe('2025-03-14T10:00:00.000Z');
    expect(b.durationMs).toBe(5400);
  });

  it('assembles output from base64 chunks: split lines, a split UTF-8 character, \\r redraws, an unterminated last line', () => {
    expect(step(b, '[3/3] RUN ./build.sh').output).toEqual(['step one', 'step two', 'progress 100%', 'café au lait', 'no newline at end']);
  });

  it('keeps a cached step with no times at 0 ms, and truncates nanoseconds to ms', () => {
    const from = b.steps.find((s) => s.index === 1)!;
    expect([from.status, from.durationMs, from.startMs]).toEqual(['cached', 0, null]);
    expect(step(b, '[2/3] COPY . .').durationMs).toBe(100); // .200000000 → .300999999
    expect(step(b, '[2/3] COPY . .').inputs).toEqual([from.id, step(b, '[internal] load build context').id]);
  });

  it('reads warnings and the build context size', () => {
    expect(b.warnings).toEqual([{ message: "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)", stepId: '1', line: 1 }]);
    expect(b.contextBytes).toBe(2070);
    expect(b.error).toBeNull();
    expect(b.errorExcerpt).toEqual([]);
  });

  it('tells an error from a canceled step, drops never-started steps and keeps the platform', () => {
    const c = hand('canceled.rawjson.log');
    const make = step(c, '[linux/amd64 builder 2/2] RUN make');
    expect([make.status, make.platform, make.stage, make.durationMs]).toEqual(['error', 'linux/amd64', 'builder', 1400]);
    expect(make.output).toEqual(['cc -c main.c', "main.c:3: error: expected ';'"]);
    const test = step(c, '[linux/amd64 tests 2/2] RUN go test ./...');
    expect(test.status).toBe('canceled');
    expect(test.error).toContain('context canceled');
    expect(c.steps.some((s) => s.stage === 'final')).toBe(false);
    expect(c.steps).toHaveLength(3);
    expect(c.error).toBe('failed to build: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2');
    expect(c.errorExcerpt[0]).toBe('------');
    expect(c.errorExcerpt).toContain('Dockerfile:4');
    expect(c.errorExcerpt[c.errorExcerpt.length - 1]).toBe('--------------------');
    expect(c.errorExcerpt.some((l) => l.startsWith('View build details'))).toBe(false);
    expect(c.incomplete).toBe(false);
  });

  it('survives a log cut mid-object: the running step is incomplete, a broken object is skipped', () => {
    const c = hand('cut.rawjson.log');
    expect(c.incomplete).toBe(true);
    const sleep = step(c, '[2/2] RUN sleep 60');
    expect([sleep.status, sleep.durationMs, sleep.startMs]).toEqual(['incomplete', null, 200]);
    expect(sleep.output).toEqual(['sleeping']);
    // the broken copy of the FROM update (completed 20.9 s) was dropped, the whole one kept
    expect(step(c, '[1/2] FROM docker.io/library/alpine:3.19').durationMs).toBe(100);
  });

  it('reads buildx < 0.9 `error:` lines', () => {
    const c = feed([
      '{"vertexes":[{"digest":"sha256:1","name":"[1/1] FROM x","started":"2025-01-01T00:00:00Z","completed":"2025-01-01T00:00:01Z","error":"boom"}]}',
      'error: failed to solve: boom',
    ]);
    expect(c.error).toBe('failed to solve: boom');
    expect(c.steps[0]!.status).toBe('error');
  });

  it('never throws on garbage', () => {
    const junk = [
      '}', '{', '}', '{"vertexes": 5}', '{"vertexes":[null, 1, {"digest": 3}, {"digest":"d","inputs":[1,"e"],"started":7}]}',
      '{"logs":[{"vertex":"d","data":"!!!not base64"},{"vertex":5}]}', '{"logs":[{"vertex":"d","data":"aGk=","stream":true}]}',
      '{"statuses":[{"vertex":"nope","current":"x"}]}', '{"warnings":[{"short":5},{"short":"","range":"x"},{"short":"aGk=","range":[null]}]}',
      '[1,2,3]', 'null', '{"a":"\\"}{', '{{{{{{', '"}}}}}}', '\u0000\u0001', '{"vertexes":[{"digest":"x","started":"not a time","completed":"2025-13-45T99:99:99Z"}]}',
    ];
    expect(() => feed(junk)).not.toThrow();
    const b2 = feed(junk);
    expect(b2.format).toBe('rawjson');
    expect(b2.warnings.map((w) => w.message)).toEqual(['hi']);
  });

  it('keeps the last 20 lines of output and counts the rest', () => {
    const p = createRawJsonParser();
    const log = (text: string): string => `{"logs":[{"vertex":"d","stream":1,"data":"${Buffer.from(text).toString('base64')}"}]}`;
    p.line('{"vertexes":[{"digest":"d","name":"[1/1] RUN seq 30","started":"2025-01-01T00:00:00Z","completed":"2025-01-01T00:00:01Z"}]}');
    p.line(log('line '));
    p.line(log(Array.from({ length: 26 }, (_, i) => `${i + 1}\n`).join(''))); // one chunk of 26 lines, the first ends 'line '
    p.line(log('27\n28\n29\n30'));
    const s = p.end(false).steps[0]!;
    expect(s.output).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 11)));
    expect(s.outputDropped).toBe(10);
  });

  it('bounds a line of output that never ends', () => {
    const p = createRawJsonParser();
    const data = Buffer.from('x'.repeat(100_000)).toString('base64');
    p.line('{"vertexes":[{"digest":"d","name":"[1/1] RUN yes","started":"2025-01-01T00:00:00Z"}]}');
    for (let i = 0; i < 50; i++) p.line(`{"logs":[{"vertex":"d","stream":1,"data":"${data}"}]}`);
    const out = p.end(false).steps[0]!.output;
    expect(out).toHaveLength(1);
    expect(out[0]!.length).toBeLessThanOrEqual(1001);
  });
});

describe('rawjson: a vertex shared with a concurrent build', () => {
  it('does not pull the build start back to that build\'s older times', () => {
    const v = (digest: string, name: string, started: string, completed: string) =>
      JSON.stringify({ vertexes: [{ digest: `sha256:${digest.repeat(64)}`, name, started, completed }] });
    const log = [
      v('1', '[internal] load build definition from Dockerfile', '2026-01-01T00:00:10.000Z', '2026-01-01T00:00:10.050Z'),
      v('2', '[2/2] RUN make', '2026-01-01T00:00:10.100Z', '2026-01-01T00:00:12.100Z'),
      // Another build's FROM of the same image, reported with its own times, 8 s earlier.
      v('3', '[1/4] FROM docker.io/library/alpine', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:02.001Z'),
    ].join('\n') + '\n';
    const b = parseRawJsonLog(log);
    expect(b.startedAt).toBe('2026-01-01T00:00:10.000Z');
    expect(b.durationMs).toBe(2100);
    const shared = b.steps.find((s) => s.name.includes('FROM'))!;
    expect([shared.startMs, shared.endMs]).toEqual([0, 0]);
  });
});

describe('parseTime', () => {
  it('reads RFC 3339 with nanoseconds to the millisecond', () => {
    expect(parseTime('2026-11-28T12:10:41.086316522Z')).toBe(Date.parse('2026-11-28T12:10:41.086Z'));
    expect(parseTime('2024-02-29T23:59:59Z')).toBe(Date.parse('2024-02-29T23:59:59Z'));
    expect(parseTime('2024-02-05T18:37:58.1+02:00')).toBe(Date.parse('2024-02-05T16:37:58.100Z'));
  });
  it('treats Go zero time and junk as unset', () => {
    expect(parseTime('0001-01-01T00:00:00Z')).toBeNull();
    expect(parseTime('yesterday')).toBeNull();
    expect(parseTime(42)).toBeNull();
  });
});

const REAL_LOGS = join(process.cwd(), '../shared/real-logs');
const describeReal = existsSync(REAL_LOGS) ? describe : describe.skip;
describeReal('rawjson parser on the real-world corpus (../shared/real-logs)', () => {
  const logs = existsSync(REAL_LOGS) ? readdirSync(REAL_LOGS).filter((f) => /^\d+-.*(?<!\.source)\.txt$/.test(f)) : [];
  it.each(logs)('does not throw on %s', (f) => {
    expect(() => parseRawJsonLog(readFileSync(join(REAL_LOGS, f), 'utf8'))).not.toThrow();
  });
  it('reads the buildx 0.12 indented excerpt', () => {
    const b = parseRawJsonLog(readFileSync(join(REAL_LOGS, '15-rawjson-buildx012-indented.txt'), 'utf8'));
    expect(b.steps.map((s) => [s.name, s.status])).toEqual([['[internal] load build definition from Dockerfile', 'done']]);
  });
});
