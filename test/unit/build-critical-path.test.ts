import { computeCriticalPath, criticalPathText } from '../../src/core/critical-path.js';
import { newStep, type Step } from '../../src/core/model.js';
import { parseLog } from '../../src/core/parse/detect.js';
import { readFileSync } from 'node:fs';

function step(id: string, stage: string | null, startMs: number, endMs: number, inputs: string[] = [], internal = false): Step {
  const s = newStep(id, `[${stage ?? ''}] X${id}`);
  return Object.assign(s, { stage, startMs, endMs, durationMs: endMs - startMs, inputs, internal, status: 'done' as const, instruction: `RUN x${id}` });
}

describe('computeCriticalPath', () => {
  it('follows the step graph back from the last step to end', () => {
    // assets: 1 → 2 (5 s); deps: 3 → 4 (2 s); final 5 needs 2 and 4.
    const steps = [
      step('0', null, 0, 100, [], true),
      step('1', 'assets', 100, 150, ['0']), step('2', 'assets', 150, 5350, ['1']),
      step('3', 'deps', 100, 150, ['0']), step('4', 'deps', 150, 2150, ['3']),
      step('5', 'final', 5350, 5400, ['2', '4']),
    ];
    const p = computeCriticalPath(steps, 5400)!;
    expect(p.basis).toBe('graph');
    expect(p.stepIds).toEqual(['1', '2', '5']);
    expect(p.durationMs).toBe(5300);
    expect(p.stepsDurationMs).toBe(7350);
    expect(p.parallelism).toBeCloseTo(1.36, 2);
    const text = criticalPathText(p, (id) => {
      const s = steps.find((x) => x.id === id)!;
      return { stage: s.stage, text: s.instruction!, durationMs: s.durationMs };
    }, (ms) => `${(ms / 1000).toFixed(1)}s`);
    expect(text).toBe('wall 5.4s; critical path: assets › RUN x2 (5.2s); steps sum 7.3s; parallelism 1.4x');
  });

  it('waits for the input that ran, not a cached input BuildKit stamped later', () => {
    // 3 needs 1 (ran until 3000) and 2 (cached, reported at 3010): the path runs through 1.
    const steps = [step('1', 'a', 0, 3000), step('2', 'b', 3010, 3010), step('3', 'c', 3020, 3100, ['1', '2'])];
    steps[1]!.status = 'cached';
    steps[1]!.durationMs = 0;
    expect(computeCriticalPath(steps, 3100)!.stepIds).toEqual(['1', '3']);
  });

  it('infers the chain from times when there is no graph, preferring the same stage', () => {
    const steps = [
      step('1', 'a', 0, 4000), step('2', 'b', 0, 1000), step('3', 'b', 1000, 4100),
      step('4', 'c', 4100, 4200),
    ];
    const p = computeCriticalPath(steps, 4200)!;
    expect(p.basis).toBe('times');
    expect(p.stepIds).toEqual(['2', '3', '4']);
  });

  it('is null without times (a plain log read from a file)', () => {
    const build = parseLog(readFileSync('test/fixtures/recorded/node-app.plain.cold.log', 'utf8'));
    expect(computeCriticalPath(build.steps, build.durationMs)).toBeNull();
  });

  it('on a recorded rawjson build: the chain ends with the slowest stage', () => {
    const build = parseLog(readFileSync('test/fixtures/recorded/node-app.rawjson.cold.log', 'utf8'));
    const p = computeCriticalPath(build.steps, build.durationMs)!;
    const names = p.stepIds.map((id) => build.steps.find((s) => s.id === id)!.instruction);
    expect(names).toEqual(expect.arrayContaining(['RUN npm ci', 'RUN npm run build && sleep 1']));
    expect(p.durationMs).toBeLessThanOrEqual(build.durationMs!);
  });
});
