import { readFileSync } from 'node:fs';
import { createLiveTracker, type LiveEvent } from '../../src/core/live-events.js';
import { LiveState } from '../../src/core/live-state.js';
import { parseLog } from '../../src/core/parse/detect.js';
import { createPlainRenderer } from '../../src/core/render-plain.js';

function events(file: string, format: 'rawjson' | 'plain' | 'legacy'): LiveEvent[] {
  const out: LiveEvent[] = [];
  const tracker = createLiveTracker(format, (e) => out.push(e));
  let t = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) tracker.line(line, (t += 10));
  tracker.end(t);
  return out;
}

function renderPlain(evs: LiveEvent[]): string {
  const r = createPlainRenderer();
  return evs.map((e) => r.event(e)).join('') + r.flush();
}

describe('the plain view, rendered from rawjson events', () => {
  for (const name of ['node-app.rawjson.cold', 'node-app.rawjson.cached', 'fail.rawjson']) {
    it(`reads back as the same build (${name})`, () => {
      const file = `test/fixtures/recorded/${name}.log`;
      const fromRaw = parseLog(readFileSync(file, 'utf8'));
      const text = renderPlain(events(file, 'rawjson'));
      expect(text).toMatch(/^#1 /);
      const fromPlain = parseLog(text, 'plain');
      const summary = (b: typeof fromRaw) => b.steps.filter((s) => !s.internal).map((s) => [s.name, s.status]).sort();
      expect(summary(fromPlain)).toEqual(summary(fromRaw));
      // Step times agree to BuildKit's 0.1 s precision.
      for (const s of fromPlain.steps.filter((x) => !x.internal && x.status === 'done')) {
        const raw = fromRaw.steps.find((r) => r.name === s.name)!;
        expect(Math.abs((s.durationMs ?? 0) - (raw.durationMs ?? 0))).toBeLessThanOrEqual(60);
      }
      const failed = fromRaw.steps.find((s) => s.status === 'error');
      // (The plain parser reads Go's `\"` escapes back; rawjson keeps them as BuildKit sent them.)
      const bare = (t: string | null | undefined) => (t ?? '').replace(/\\/g, '');
      if (failed) expect(bare(fromPlain.steps.find((s) => s.status === 'error')?.error)).toBe(bare(failed.error));
    });
  }

  it('prints the BuildKit line shapes: header, timed output, DONE/CACHED, blank line, `...` on a switch', () => {
    const r = createPlainRenderer();
    const out = [
      r.event({ type: 'start', id: 'a', name: '[a 1/1] RUN one', atMs: 0 }),
      r.event({ type: 'start', id: 'b', name: '[b 1/1] RUN two', atMs: 0 }),
      r.event({ type: 'log', id: 'a', text: 'hello', atMs: 1234 }),
      r.event({ type: 'log', id: 'b', text: 'world', atMs: 1500 }),
      r.event({ type: 'end', id: 'a', status: 'done', atMs: 2000, durationMs: 2000, error: null }),
      r.event({ type: 'end', id: 'b', status: 'cached', atMs: 2000, durationMs: 0, error: null }),
      r.flush(),
    ].join('');
    expect(out).toBe([
      '#1 [a 1/1] RUN one', '#1 1.234 hello', '#1 ...', '',
      '#2 [b 1/1] RUN two', '#2 1.500 world', '#2 ...', '',
      '#1 DONE 2.0s', '',
      '#2 CACHED', '', '',
    ].join('\n'));
  });
});

describe('live events and state', () => {
  it('plain and rawjson sources give the same finished steps', () => {
    const fromRaw = new LiveState();
    for (const e of events('test/fixtures/recorded/node-app.rawjson.cold.log', 'rawjson')) fromRaw.apply(e);
    const fromPlain = new LiveState();
    for (const e of events('test/fixtures/recorded/node-app.plain.cold.log', 'plain')) fromPlain.apply(e);
    const a = fromRaw.snapshot(1e15, 10, 100);
    const b = fromPlain.snapshot(1e15, 10, 100);
    expect(a.running).toEqual([]);
    expect(a.done).toBe(a.total);
    expect(b.done).toBe(a.done);
    expect(b.cached).toBe(a.cached);
  });

  it('legacy lines become timed steps', () => {
    const evs = events('test/fixtures/recorded/node-app.legacy.cold.log', 'legacy');
    const starts = evs.filter((e) => e.type === 'start');
    const ends = evs.filter((e) => e.type === 'end');
    expect(starts.length).toBeGreaterThan(3);
    expect(ends.length).toBe(starts.length);
  });

  it('keeps a window at hundreds of steps: finished collapse, running are capped', () => {
    const s = new LiveState();
    for (let i = 0; i < 300; i++) s.apply({ type: 'start', id: String(i), name: `[s ${i + 1}/300] RUN x${i}`, atMs: i });
    for (let i = 0; i < 250; i++) s.apply({ type: 'end', id: String(i), status: 'done', atMs: 1000 + i, durationMs: 1000, error: null });
    const snap = s.snapshot(5000, 5, 6);
    expect(snap.total).toBe(300);
    expect(snap.done).toBe(250);
    expect(snap.running).toHaveLength(5);
    expect(snap.runningHidden).toBe(45);
    expect(snap.finished).toHaveLength(6);
    expect(snap.finishedHidden).toBe(244);
    expect(snap.finished[5]!.id).toBe('249');
  });
});
