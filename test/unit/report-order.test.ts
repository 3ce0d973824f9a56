import { emptyBuild, newStep, type Step } from '../../src/core/model.js';
import { toReport } from '../../src/core/report/report.js';
import { hasShare, inBuildOrder, shareBase } from '../../src/core/report/common.js';
import { parseStepName } from '../../src/core/parse/step-name.js';

function step(id: string, name: string, line: number | null, startMs: number | null, durationMs: number | null, status: Step['status'] = 'done'): Step {
  const s = newStep(id, name);
  Object.assign(s, parseStepName(name), { line, startMs, durationMs, status, endMs: startMs !== null && durationMs !== null ? startMs + durationMs : null });
  return s;
}

function report(steps: Step[]) {
  const b = emptyBuild('rawjson', 'buildkit');
  b.steps = steps;
  return toReport(b, { toolVersion: 'test' });
}

describe('inBuildOrder', () => {
  it('puts a burst of cache hits in Dockerfile order, whatever order rawjson listed them in', () => {
    const r = report([
      step('1', '[3/3] COPY b .', 4, 3, 0, 'cached'),
      step('2', '[2/3] COPY a .', 3, 2, 0, 'cached'),
      step('3', '[1/3] FROM x', 1, 1, 1),
    ]);
    expect(inBuildOrder(r.steps).map((s) => s.line)).toEqual([1, 3, 4]);
  });

  it('keeps start order for steps that start apart (parallel stages)', () => {
    const r = report([
      step('1', '[a 2/2] RUN slow', 2, 0, 3000),
      step('2', '[b 2/2] RUN later', 5, 3500, 100),
      step('3', '[b 1/2] FROM y', 4, 150, 1),
    ]);
    expect(inBuildOrder(r.steps).map((s) => s.id)).toEqual(['1', '3', '2']);
  });
});

describe('hasShare', () => {
  it('gives no share to steps that print as 0.0s, even when they are all there is', () => {
    const r = report([step('1', '[1/2] FROM x', 1, 0, 1), step('2', '[2/2] RUN y', 2, 1, 3, 'cached')]);
    const base = shareBase(r.steps);
    expect(r.steps.map((s) => hasShare(s, base))).toEqual([false, false]);
  });
  it('gives a share to a step that ran long enough to show', () => {
    const r = report([step('1', '[1/2] FROM x', 1, 0, 1), step('2', '[2/2] RUN y', 2, 1, 3100)]);
    expect(hasShare(r.steps[1]!, shareBase(r.steps))).toBe(true);
  });
});
