import { emptyBuild, newStep, type Build, type Finding, type Step, type StepStatus } from '../../src/core/model.js';
import { REPORT_SCHEMA_VERSION, slowestSteps, toReport } from '../../src/core/report/report.js';
import { renderJson } from '../../src/core/report/render-json.js';

function step(id: string, name: string, status: StepStatus, durationMs: number | null, extra: Partial<Step> = {}): Step {
  const s = newStep(id, name);
  const m = /^\[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/.exec(name);
  if (m) {
    s.internal = false;
    s.stage = m[1] ?? null;
    s.index = Number(m[2]);
    s.total = Number(m[3]);
    s.instruction = m[4]!;
  }
  return Object.assign(s, { status, durationMs }, extra);
}

function sampleBuild(): Build {
  const b = emptyBuild('plain', 'buildkit');
  b.builder.name = 'default';
  b.builder.driver = 'docker';
  b.contextBytes = 1060;
  b.steps = [
    step('1', '[internal] load build definition from Dockerfile', 'done', 0),
    step('2', '[internal] load metadata for docker.io/library/node:20', 'done', 1200),
    step('3', '[build 1/5] FROM docker.io/library/node:20', 'cached', 0),
    step('4', '[build 2/5] WORKDIR /app', 'cached', null),
    step('5', '[build 3/5] COPY . .', 'done', 100),
    step('6', '[build 4/5] RUN npm ci', 'done', 3100),
    step('7', '[build 5/5] RUN npm run build', 'error', 2000, { error: 'exit code: 1' }),
    step('8', '[stage-1 2/3] COPY --from=build /app/dist ./dist', 'canceled', null),
    step('9', '[stage-1 3/3] RUN make', 'incomplete', null),
    step('10', 'exporting to image', 'error', 50),
  ];
  b.error = 'failed to solve: exit code: 1';
  b.errorExcerpt = ['------', ' > [build 5/5] RUN npm run build:', '------'];
  b.warnings = [{ message: 'FromAsCasing', stepId: null, line: 3 }];
  return b;
}

describe('toReport', () => {
  const report = toReport(sampleBuild(), { toolVersion: '1.2.3', dockerfile: 'Dockerfile' });

  it('carries the contract header', () => {
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: 'buildlens', version: '1.2.3' });
    expect(report.source).toEqual({ format: 'plain', builder: 'buildkit', builderName: 'default', driver: 'docker', versions: {} });
    expect(report.dockerfile).toBe('Dockerfile');
    expect(report.startedAt).toBeNull();
  });

  it('counts non-internal steps only', () => {
    expect(report.totals).toEqual({
      durationMs: null,
      stepsDurationMs: 0 + 100 + 3100 + 2000,
      timedSteps: 4,
      steps: 7,
      cached: 2,
      executed: 3, // done + error
      errors: 1, // the internal `exporting to image` error is not counted
      canceled: 1,
      incomplete: 1,
    });
  });

  it('keeps every step, internal ones included, with stable fields', () => {
    expect(report.steps).toHaveLength(10);
    expect(Object.keys(report.steps[0]!).sort()).toEqual([
      'digest', 'durationMs', 'endMs', 'error', 'id', 'index', 'inputs', 'instruction', 'internal', 'line', 'name',
      'output', 'outputDropped', 'platform', 'sourceText', 'stage', 'startMs', 'status', 'target', 'total',
    ]);
    expect(report.steps[6]).toMatchObject({ id: '7', stage: 'build', index: 5, total: 5, instruction: 'RUN npm run build', status: 'error', error: 'exit code: 1' });
  });

  it('lists the slowest executed non-internal steps', () => {
    expect(report.slowest).toEqual(['6', '7', '5']);
  });

  it('reports context, error, excerpt and warnings', () => {
    expect(report.context).toEqual({ transferredBytes: 1060 });
    expect(report.error).toBe('failed to solve: exit code: 1');
    expect(report.errorExcerpt).toHaveLength(3);
    expect(report.warnings).toEqual([{ message: 'FromAsCasing', stepId: null, line: 3 }]);
    expect(report.incomplete).toBe(false);
  });

  it('has null context and no findings when unknown', () => {
    const r = toReport(emptyBuild('legacy', 'legacy'), { toolVersion: '0' });
    expect(r.context).toBeNull();
    expect(r.findings).toEqual([]);
    expect(r.dockerfile).toBeNull();
    expect(r.totals).toMatchObject({ steps: 0, stepsDurationMs: 0, timedSteps: 0 });
    expect(r.slowest).toEqual([]);
  });

  it('normalises findings: optional fields become null', () => {
    const findings: Finding[] = [
      { rule: 'a', severity: 'warning', message: 'm', file: 'Dockerfile', line: 4 },
      { rule: 'b', severity: 'error', message: 'n', file: null, line: null, suggestion: 's', fix: { description: 'd', edits: [{ startLine: 1, endLine: 1, text: 'x' }] }, costMs: 10 },
    ];
    const r = toReport(emptyBuild('plain', 'buildkit'), { toolVersion: '0', findings });
    expect(r.findings[0]).toEqual({ rule: 'a', severity: 'warning', message: 'm', file: 'Dockerfile', line: 4, suggestion: null, fix: null, costMs: null });
    expect(r.findings[1]!.fix).toEqual({ description: 'd', edits: [{ startLine: 1, endLine: 1, text: 'x' }] });
    expect(r.findings[1]!.costMs).toBe(10);
  });

  it('does not share arrays with the build', () => {
    const b = sampleBuild();
    const r = toReport(b, { toolVersion: '0' });
    b.steps[5]!.output.push('later');
    expect(r.steps[5]!.output).toEqual([]);
  });

  it('serialises to JSON that parses back to the same report', () => {
    const text = renderJson(report);
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(report);
  });
});

describe('slowestSteps', () => {
  it('keeps at most 5, slowest first, ties in build order, zero and unknown durations out', () => {
    const steps = [0, 1, 2, 3, 4, 5, 6].map((i) => step(String(i), `[${i + 1}/7] RUN x${i}`, 'done', [500, 0, 900, 500, null, 700, 300][i]!));
    expect(slowestSteps(steps)).toEqual(['2', '5', '0', '3', '6']);
  });
});
