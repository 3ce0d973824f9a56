// Comparing two builds: the JSON reports of a build before and after a change (a Dockerfile fix, a
// source edit, a PR against main). Pure: two reports in, a comparison out. Steps are paired by the
// step matcher (src/core/step-matcher.ts), so renumbered steps and shifted indexes still pair up.
import type { StepStatus } from './model.js';
import { matchSteps } from './step-matcher.js';
import type { BudgetResult } from './budgets.js';
import { cacheRatio } from './budgets.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportFinding, type ReportStep } from './report/report.js';
import { inBuildOrder } from './report/common.js';

/** The version of compare's own JSON (`buildlens compare --format json`), documented in docs/compare.md. */
export const COMPARE_SCHEMA_VERSION = 1;

export interface StepSide {
  id: string;
  status: StepStatus;
  durationMs: number | null;
}

export interface StepComparison {
  /** The step as named in the AFTER build (BEFORE for a removed step). */
  name: string;
  stage: string | null;
  instruction: string | null;
  line: number | null;
  internal: boolean;
  /** matched: in both builds; added: only AFTER; removed: only BEFORE. */
  change: 'matched' | 'added' | 'removed';
  before: StepSide | null;
  after: StepSide | null;
  /** after − before, in ms, when both durations are known. */
  deltaMs: number | null;
  /** after / before, when both are known and before is not zero. */
  ratio: number | null;
}

/** One figure before and after. */
export interface Change {
  before: number | null;
  after: number | null;
  /** after − before, when both are known. */
  delta: number | null;
  /** after / before, when both are known and before is not zero. */
  ratio: number | null;
}

export interface Comparison {
  schemaVersion: typeof COMPARE_SCHEMA_VERSION;
  kind: 'buildlens-compare';
  before: ComparedReport;
  after: ComparedReport;
  /** Every step of both builds: AFTER's in build order, then the steps only BEFORE had. */
  steps: StepComparison[];
  counts: { matched: number; added: number; removed: number };
  totals: {
    /** Wall-clock time, ms. */
    wallMs: Change;
    /** Summed time of the non-internal steps, ms. */
    stepsDurationMs: Change;
    /** The critical path's summed step time, ms. */
    criticalPathMs: Change;
    /** Cached / non-internal steps, 0..1. */
    cacheRatio: Change;
    /** Non-internal steps served from the cache. */
    cachedSteps: Change;
    /** Bytes of build context transferred. */
    contextBytes: Change;
    findings: Change;
  };
  findings: {
    /** Findings of AFTER that BEFORE did not have. */
    new: ReportFinding[];
    /** Findings of BEFORE that AFTER no longer has. */
    fixed: ReportFinding[];
    /** Findings both have. */
    unchanged: number;
  };
  /** Budgets checked on the AFTER build (BEFORE as the baseline of --max-regression); null when none was set. */
  budgets: BudgetResult | null;
}

export interface ComparedReport {
  /** The file the report was read from, as given. */
  file: string;
  startedAt: string | null;
  format: Report['source']['format'];
  dockerfile: string | null;
  failed: boolean;
}

/** A report that cannot be compared: the message is one sentence. */
export class CompareInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareInputError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Check that parsed JSON is a report this version can compare. `name` is the file as given. A JSON
 * array (`report --format json --all`) gives its last build's report, as `lint --report` reads it.
 */
export function asComparableReport(json: unknown, name: string): Report {
  const r = Array.isArray(json) ? json[json.length - 1] : json;
  if (!isObject(r) || !('schemaVersion' in r)) {
    throw new CompareInputError(`${name} is not a buildlens JSON report: pass files written by \`buildlens build --report FILE\` or \`buildlens report --format json\`.`);
  }
  if (r.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new CompareInputError(`${name} is a report of schemaVersion ${JSON.stringify(r.schemaVersion)}, but this buildlens compares schemaVersion ${REPORT_SCHEMA_VERSION}: re-create it with this buildlens (\`buildlens report LOG --format json\`) or use the buildlens that wrote it.`);
  }
  if (!Array.isArray(r.steps) || !isObject(r.totals) || !Array.isArray(r.findings)) {
    throw new CompareInputError(`${name} is not a complete buildlens JSON report (it lacks steps, totals or findings): pass files written by \`buildlens build --report FILE\` or \`buildlens report --format json\`.`);
  }
  return r as unknown as Report;
}

function change(before: number | null, after: number | null): Change {
  const both = before !== null && after !== null;
  return {
    before,
    after,
    delta: both ? Math.round((after - before) * 1000) / 1000 : null,
    ratio: both && before !== 0 ? Math.round((after / before) * 1000) / 1000 : null,
  };
}

function side(s: ReportStep): StepSide {
  return { id: s.id, status: s.status, durationMs: s.durationMs };
}

function stepComparison(before: ReportStep | null, after: ReportStep | null): StepComparison {
  const s = (after ?? before)!;
  const c = change(before?.durationMs ?? null, after?.durationMs ?? null);
  return {
    name: s.name,
    stage: s.stage,
    instruction: s.instruction,
    line: s.line,
    internal: s.internal,
    change: before && after ? 'matched' : after ? 'added' : 'removed',
    before: before ? side(before) : null,
    after: after ? side(after) : null,
    deltaMs: c.delta,
    ratio: c.ratio,
  };
}

/** A finding's identity across two builds: its rule, file and message (lines move when a Dockerfile changes). */
function findingKey(f: ReportFinding): string {
  return [f.rule, f.file ?? '', f.message].join('\u0000');
}

function compared(r: Report, file: string): ComparedReport {
  const failed = r.error !== null || r.totals.errors > 0;
  return { file, startedAt: r.startedAt, format: r.source.format, dockerfile: r.dockerfile, failed };
}

export interface CompareOptions {
  beforeFile: string;
  afterFile: string;
  budgets?: BudgetResult | null;
}

export function compareReports(before: Report, after: Report, opts: CompareOptions): Comparison {
  const match = matchSteps(before, after);
  const pairOfAfter = new Map(match.pairs.map((p) => [p.after, p.before]));
  const steps: StepComparison[] = [];
  for (const s of inBuildOrder(after.steps)) steps.push(stepComparison(pairOfAfter.get(s) ?? null, s));
  for (const s of inBuildOrder(match.removed)) steps.push(stepComparison(s, null));

  const beforeKeys = new Map<string, number>();
  for (const f of before.findings) beforeKeys.set(findingKey(f), (beforeKeys.get(findingKey(f)) ?? 0) + 1);
  const newFindings: ReportFinding[] = [];
  let unchanged = 0;
  for (const f of after.findings) {
    const k = findingKey(f);
    const n = beforeKeys.get(k) ?? 0;
    if (n > 0) {
      beforeKeys.set(k, n - 1);
      unchanged++;
    } else newFindings.push(f);
  }
  const fixed: ReportFinding[] = [];
  for (const f of before.findings) {
    const k = findingKey(f);
    const n = beforeKeys.get(k) ?? 0;
    if (n > 0) {
      beforeKeys.set(k, n - 1);
      fixed.push(f);
    }
  }
  const ratio = (r: Report) => {
    const v = cacheRatio(r);
    return v === null ? null : Math.round(v * 1000) / 1000;
  };
  const user = (steps: ReportStep[]) => steps.filter((s) => !s.internal);
  return {
    schemaVersion: COMPARE_SCHEMA_VERSION,
    kind: 'buildlens-compare',
    before: compared(before, opts.beforeFile),
    after: compared(after, opts.afterFile),
    steps,
    counts: {
      matched: user(match.pairs.map((p) => p.after)).length,
      added: user(match.added).length,
      removed: user(match.removed).length,
    },
    totals: {
      wallMs: change(before.totals.durationMs, after.totals.durationMs),
      stepsDurationMs: change(before.totals.timedSteps > 0 ? before.totals.stepsDurationMs : null, after.totals.timedSteps > 0 ? after.totals.stepsDurationMs : null),
      criticalPathMs: change(before.criticalPath?.durationMs ?? null, after.criticalPath?.durationMs ?? null),
      cacheRatio: change(ratio(before), ratio(after)),
      cachedSteps: change(before.totals.cached, after.totals.cached),
      contextBytes: change(before.context?.transferredBytes ?? null, after.context?.transferredBytes ?? null),
      findings: change(before.findings.length, after.findings.length),
    },
    findings: { new: newFindings, fixed, unchanged },
    budgets: opts.budgets ?? null,
  };
}
