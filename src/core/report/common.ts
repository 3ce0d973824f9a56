// What the table and markdown renderers share: which steps get a row, how a step is labelled.
import type { StepStatus } from '../model.js';
import type { Report, ReportStep } from './report.js';
import { formatDuration } from './format.js';
import { criticalPathText } from '../critical-path.js';

/** Internal steps get a row only when they took at least this long (or failed). */
export const INTERNAL_SHOWN_FROM_MS = 500;

export interface StepRows {
  rows: ReportStep[];
  /** Internal steps left out of the rows. */
  hiddenInternal: number;
}

/** Steps that start within this of each other count as starting together (cache hits come in bursts). */
const SAME_START_MS = 100;

/**
 * The steps in build order: by start time where the log has one (rawjson lists vertexes in its own
 * order), steps that never started last; otherwise (plain, legacy) in the order the log shows them.
 * Steps that start together (a burst of cache hits) go in Dockerfile order: by line when mapped,
 * else by their index within a stage.
 */
export function inBuildOrder(steps: readonly ReportStep[]): ReportStep[] {
  const bucket = (s: ReportStep) => (s.startMs === null ? Infinity : Math.floor(s.startMs / SAME_START_MS));
  return steps
    .map((s, order) => ({ s, order, bucket: bucket(s) }))
    .sort((a, b) =>
      (a.bucket === b.bucket ? 0 : a.bucket - b.bucket) ||
      (a.s.line !== null && b.s.line !== null ? a.s.line - b.s.line : 0) ||
      (a.s.stage === b.s.stage && a.s.index !== null && b.s.index !== null ? a.s.index - b.s.index : 0) ||
      (a.s.startMs ?? 0) - (b.s.startMs ?? 0) ||
      a.order - b.order)
    .map(({ s }) => s);
}

/** Whether a step gets a share of the total: it ran, for long enough to print as more than 0.0s. */
export function hasShare(s: ReportStep, base: number): boolean {
  return s.durationMs !== null && s.durationMs >= NOTICEABLE_MS && s.status !== 'cached' && base > 0;
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

/** Steps on the critical path are named by their first line, cut to this many characters. */
const PATH_STEP_CHARS = 48;

/**
 * The critical-path line of the summary (`wall 5.3s; critical path: assets › RUN sleep 5 (5.2s);
 * steps sum 8.4s; parallelism 1.6x`), or null when the report has none worth a line.
 */
export function criticalPathLine(report: Report, ascii: boolean): string | null {
  const path = report.criticalPath;
  if (!path || path.durationMs < 100) return null;
  const ellipsis = ascii ? '...' : '…';
  return criticalPathText(path, (id) => {
    const s = stepById(report, id);
    if (!s) return undefined;
    let text = firstLine(s.instruction ?? s.name, ' ' + ellipsis);
    if (text.length > PATH_STEP_CHARS) text = text.slice(0, PATH_STEP_CHARS - ellipsis.length).trimEnd() + ellipsis;
    return { stage: s.stage, text, durationMs: s.durationMs };
  }, formatDuration, ascii);
}
