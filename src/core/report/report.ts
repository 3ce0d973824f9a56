// The report: what every renderer reads and what `--format json` prints. The JSON shape is a public
// contract, documented field by field in docs/report-format.md: add fields freely, but renaming or
// removing one (or changing its meaning) bumps REPORT_SCHEMA_VERSION.
import type { BuilderKind, Build, Finding, Fix, Severity, SourceFormat, Step, StepStatus } from '../model.js';
import { computeCriticalPath, type CriticalPath } from '../critical-path.js';
import { summarizeRemoteCache, type RemoteCache } from '../remote-cache.js';
import type { Fingerprints } from '../fingerprint.js';
import type { BudgetResult } from '../budgets.js';

export const REPORT_SCHEMA_VERSION = 1;

/** How many step ids `slowest` lists. */
export const SLOWEST_COUNT = 5;

export interface ReportStep {
  id: string;
  /** rawjson only: the vertex digest; null otherwise. */
  digest: string | null;
  name: string;
  target: string | null;
  platform: string | null;
  stage: string | null;
  index: number | null;
  total: number | null;
  instruction: string | null;
  line: number | null;
  sourceText: string | null;
  status: StepStatus;
  durationMs: number | null;
  startMs: number | null;
  endMs: number | null;
  internal: boolean;
  inputs: string[];
  output: string[];
  outputDropped: number;
  error: string | null;
}

export interface ReportTotals {
  /** Wall-clock duration of the build, or null when the log carries no clock. */
  durationMs: number | null;
  /** Sum of durationMs over non-internal steps whose duration is known. */
  stepsDurationMs: number;
  /** Non-internal steps whose duration is known (the steps stepsDurationMs sums over). */
  timedSteps: number;
  /** Non-internal steps. */
  steps: number;
  cached: number;
  /** done + error. */
  executed: number;
  errors: number;
  canceled: number;
  incomplete: number;
}

export interface ReportFinding {
  rule: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  suggestion: string | null;
  fix: Fix | null;
  costMs: number | null;
}

export interface ReportWarning {
  message: string;
  stepId: string | null;
  line: number | null;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'buildlens'; version: string };
  source: {
    format: SourceFormat;
    builder: BuilderKind;
    /** buildx builder instance name, when printed. */
    builderName: string | null;
    /** buildx driver (`docker`, `docker-container`), when printed. */
    driver: string | null;
    versions: Record<string, string>;
  };
  startedAt: string | null;
  dockerfile: string | null;
  steps: ReportStep[];
  totals: ReportTotals;
  context: { transferredBytes: number } | null;
  warnings: ReportWarning[];
  error: string | null;
  errorExcerpt: string[];
  incomplete: boolean;
  findings: ReportFinding[];
  /** Per build, what the findings put at stake: the time of the steps they cost, each step once; null when no finding has a cost. */
  atStakeMs: number | null;
  /** Findings that `# buildlens-ignore` pragmas of the Dockerfile suppressed (not in `findings`). */
  suppressedFindings: number;
  slowest: string[];
  /** The chain of steps that set the wall time (null when the log has no start/end times). */
  criticalPath: CriticalPath | null;
  /** Cache import and export as the build's output shows them (null when it shows neither). */
  remoteCache: RemoteCache | null;
  /** What each step's cache key depends on (`buildlens build` records it; null elsewhere): what `buildlens why` compares. */
  fingerprints: Fingerprints | null;
  /**
   * The budgets of this run (`--max-duration`, …) and how the build did against them; null when none
   * was set, or the build failed (docker's exit code decides then). Set by the command after toReport.
   */
  budgets: BudgetResult | null;
}

export interface ToReportOptions {
  findings?: Finding[];
  /** The Dockerfile path as the user gave it, when one was read. */
  dockerfile?: string | null;
  toolVersion: string;
  /** What the findings put at stake per build (src/core/cost.ts atStakeMs). */
  atStakeMs?: number | null;
  /** Findings suppressed by pragmas. */
  suppressedFindings?: number;
  /** The build's fingerprints (`build` only). */
  fingerprints?: Fingerprints | null;
}

function toReportStep(s: Step): ReportStep {
  return {
    id: s.id,
    digest: s.digest ?? null,
    name: s.name,
    target: s.target,
    platform: s.platform,
    stage: s.stage,
    index: s.index,
    total: s.total,
    instruction: s.instruction,
    line: s.line,
    sourceText: s.sourceText,
    status: s.status,
    durationMs: s.durationMs,
    startMs: s.startMs,
    endMs: s.endMs,
    internal: s.internal,
    inputs: [...s.inputs],
    output: [...s.output],
    outputDropped: s.outputDropped,
    error: s.error,
  };
}

function toReportFinding(f: Finding): ReportFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    suggestion: f.suggestion ?? null,
    fix: f.fix ? { description: f.fix.description, edits: f.fix.edits.map((e) => ({ ...e })) } : null,
    costMs: f.costMs ?? null,
  };
}

/** Totals over the non-internal steps (internal ones are kept in `steps` but never counted). */
export function computeTotals(build: Build): ReportTotals {
  const totals: ReportTotals = {
    durationMs: build.durationMs,
    stepsDurationMs: 0,
    timedSteps: 0,
    steps: 0,
    cached: 0,
    executed: 0,
    errors: 0,
    canceled: 0,
    incomplete: 0,
  };
  for (const s of build.steps) {
    if (s.internal) continue;
    totals.steps++;
    if (s.durationMs !== null) {
      totals.stepsDurationMs += s.durationMs;
      totals.timedSteps++;
    }
    switch (s.status) {
      case 'cached': totals.cached++; break;
      case 'done': totals.executed++; break;
      case 'error': totals.executed++; totals.errors++; break;
      case 'canceled': totals.canceled++; break;
      case 'incomplete': totals.incomplete++; break;
    }
  }
  return totals;
}

/** Ids of the slowest non-internal executed steps (done or error) with a known, non-zero duration. */
export function slowestSteps(steps: readonly Step[], count = SLOWEST_COUNT): string[] {
  return steps
    .map((s, order) => ({ s, order }))
    .filter(({ s }) => !s.internal && (s.status === 'done' || s.status === 'error') && s.durationMs !== null && s.durationMs > 0)
    .sort((a, b) => b.s.durationMs! - a.s.durationMs! || a.order - b.order)
    .slice(0, count)
    .map(({ s }) => s.id);
}

export function toReport(build: Build, opts: ToReportOptions): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'buildlens', version: opts.toolVersion },
    source: {
      format: build.format,
      builder: build.builder.kind,
      builderName: build.builder.name,
      driver: build.builder.driver,
      versions: { ...build.builder.versions },
    },
    startedAt: build.startedAt,
    dockerfile: opts.dockerfile ?? null,
    steps: build.steps.map(toReportStep),
    totals: computeTotals(build),
    context: build.contextBytes === null ? null : { transferredBytes: build.contextBytes },
    warnings: build.warnings.map((w) => ({ message: w.message, stepId: w.stepId, line: w.line })),
    error: build.error,
    errorExcerpt: [...build.errorExcerpt],
    incomplete: build.incomplete,
    findings: (opts.findings ?? []).map(toReportFinding),
    atStakeMs: opts.atStakeMs ?? null,
    suppressedFindings: opts.suppressedFindings ?? 0,
    slowest: slowestSteps(build.steps),
    criticalPath: computeCriticalPath(build.steps, build.durationMs),
    remoteCache: summarizeRemoteCache(build),
    fingerprints: opts.fingerprints ?? null,
    budgets: null,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Is `severity` at or above `threshold`? (error > warning > info) */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold];
}

/** The step that failed the build: the first step in error (a non-internal one preferred). */
export function failingStep(report: Report): ReportStep | null {
  return report.steps.find((s) => s.status === 'error' && !s.internal) ?? report.steps.find((s) => s.status === 'error') ?? null;
}

/** True when the build failed: a final error or a step in error. */
export function buildFailed(report: Report): boolean {
  return report.error !== null || report.totals.errors > 0 || report.steps.some((s) => s.status === 'error');
}
