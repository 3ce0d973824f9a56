// What the table and markdown renderers share: which steps get a row, how a step is labelled.
import type { StepStatus } from '../model.js';
import type { Report, ReportStep } from './report.js';
import { formatDuration } from './format.js';

/** Internal steps get a row only when they took at least this long (or failed). */
export const INTERNAL_SHOWN_FROM_MS = 500;

export interface StepRows {
  rows: ReportStep[];
  /** Internal steps left out of the rows. */
  hiddenInternal: number;
}

/**
 * The steps in build order: by start time where the log has one (rawjson lists vertexes in its own
 * order), steps that never started last; otherwise (plain, legacy) in the order the log shows them.
 */
export function inBuildOrder(steps: readonly ReportStep[]): ReportStep[] {
  return steps
    .map((s, order) => ({ s, order }))
    .sort((a, b) =>
      (a.s.startMs ?? Infinity) - (b.s.startMs ?? Infinity) ||
      // Same start (a cache hit and the step after it): the one that ended first goes first.
      (a.s.endMs ?? Infinity) - (b.s.endMs ?? Infinity) ||
      a.order - b.order)
    .map(({ s }) => s);
}

/** The steps shown, in build order: every non-internal step, internal ones that took ≥ 0.5 s or failed. */
export function visibleSteps(report: Report): StepRows {
  const rows: ReportStep[] = [];
  let hiddenInternal = 0;
  for (const s of inBuildOrder(report.steps)) {
    if (!s.internal || s.status === 'error' || (s.durationMs ?? 0) >= INTERNAL_SHOWN_FROM_MS) rows.push(s);
    else hiddenInternal++;
  }
  return { rows, hiddenInternal };
}

export const STATUS_LABEL: Record<StepStatus, string> = {
  done: 'DONE',
  cached: 'CACHED',
  error: 'ERROR',
  canceled: 'CANCELED',
  incomplete: 'INCOMPLETE',
};

/** The first line of a possibly multi-line text, with a marker when lines were dropped. */
export function firstLine(text: string, more = ' …'): string {
  const lines = text.split(/\r\n|\r|\n/);
  const first = (lines[0] ?? '').trimEnd();
  return lines.length > 1 && lines.slice(1).some((l) => l.trim() !== '') ? first + more : first;
}

/** What the instruction column shows: the instruction for a counted step, the name for an internal one. */
export function stepText(step: ReportStep): string {
  return step.internal ? step.name : step.instruction ?? step.name;
}

/** The denominator of the share column: the summed durations of the rows shown (so shares add up to 100%). */
export function shareBase(rows: readonly ReportStep[]): number {
  let sum = 0;
  for (const s of rows) if (s.durationMs !== null) sum += s.durationMs;
  return sum;
}

/** Durations under this print as `0.0s`: not worth listing among the slowest. */
const NOTICEABLE_MS = 50;

/** The slowest steps worth naming (the report's `slowest`, without those that print as 0.0s). */
export function slowestShown(report: Report, count: number): ReportStep[] {
  return report.slowest
    .map((id) => stepById(report, id))
    .filter((s): s is ReportStep => s !== undefined && (s.durationMs ?? 0) >= NOTICEABLE_MS)
    .slice(0, count);
}

/** `6.2s summed over 9 steps`, or why there is no sum. */
export function stepTimeText(report: Report): string {
  const t = report.totals;
  if (t.timedSteps === 0) return t.steps === 0 ? 'no steps' : `unknown (${report.source.format} logs carry no step times)`;
  const over = t.timedSteps === t.steps ? `${t.steps} step${t.steps === 1 ? '' : 's'}` : `${t.timedSteps} timed of ${t.steps} steps`;
  return `${formatDuration(t.stepsDurationMs)} summed over ${over}`;
}

export function stepById(report: Report, id: string): ReportStep | undefined {
  return report.steps.find((s) => s.id === id);
}

/** Why the wall time is unknown, in words. */
export function unknownWallTime(report: Report): string {
  return `unknown (${report.source.format} logs carry no clock)`;
}

/** BuildKit repeats the step's error in its final `failed to solve: …` line (with quotes escaped). */
export function sameError(final: string, stepError: string | null | undefined): boolean {
  if (!stepError) return false;
  const bare = (t: string) => t.replace(/\\/g, '');
  return bare(final).includes(bare(stepError));
}
