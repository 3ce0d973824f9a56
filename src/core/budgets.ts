// Budgets: limits a build must stay within (`--max-duration 5m`, `--min-cache-ratio 0.8`, …). Pure:
// parse the limits as written on the command line or in .buildlens.json, and check a report (and,
// for `--max-regression`, the report it is compared with) against them.
import { formatDuration, formatSize, parseSize } from './units.js';
import type { Report } from './report/report.js';

export interface Budgets {
  /** `--max-duration`: the build's wall time (the summed step time when the log has no clock). */
  maxDurationMs?: number;
  /** `--max-step-duration`: any one non-internal step. */
  maxStepDurationMs?: number;
  /** `--min-cache-ratio`: cached / all non-internal steps, 0..1. */
  minCacheRatio?: number;
  /** `--max-context`: bytes of build context transferred. */
  maxContextBytes?: number;
  /** `--max-regression`: how much slower than the baseline, as a fraction (0.1 = 10%). */
  maxRegression?: number;
}

export type BudgetName = 'max-duration' | 'max-step-duration' | 'min-cache-ratio' | 'max-context' | 'max-regression';

export const BUDGET_FLAGS: readonly BudgetName[] = ['max-duration', 'max-step-duration', 'min-cache-ratio', 'max-context', 'max-regression'];

/** The config-file key of each budget (camelCase of the flag). */
export const BUDGET_CONFIG_KEYS: Record<BudgetName, 'maxDuration' | 'maxStepDuration' | 'minCacheRatio' | 'maxContext' | 'maxRegression'> = {
  'max-duration': 'maxDuration',
  'max-step-duration': 'maxStepDuration',
  'min-cache-ratio': 'minCacheRatio',
  'max-context': 'maxContext',
  'max-regression': 'maxRegression',
};

export interface BudgetBreach {
  budget: BudgetName;
  /** The figure measured, as printed (`6m12s`, `0.45`, `212.00MB`, `+18%`). */
  figure: string;
  /** The limit, as printed. */
  limit: string;
  /** What the figure is of: `wall time`, `RUN npm ci` (a step), `cache ratio (9/20 steps)`, … */
  subject: string;
  /** The step, for max-step-duration. */
  stepId: string | null;
}

/** A budget that was set but cannot be checked on this report (a log without a clock, no context size). */
export interface BudgetUnchecked {
  budget: BudgetName;
  reason: string;
}

export interface BudgetResult {
  /** The budgets set for this run, in the order of BUDGET_FLAGS (met, breached or unchecked). */
  set: BudgetName[];
  breaches: BudgetBreach[];
  unchecked: BudgetUnchecked[];
}

/** A budget value the user wrote wrong; the message says what to write (the CLI adds where). */
export class BudgetSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetSyntaxError';
  }
}

const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ms|h|m|s)/gy;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `5m`, `60s`, `1m30s`, `1.5h`, `500ms` → milliseconds. A bare number is refused (seconds or minutes?). */
export function parseDurationLimit(text: string): number {
  const t = text.trim();
  if (t === '') throw new BudgetSyntaxError('needs a duration such as 5m, 90s or 1m30s');
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = DURATION_PART.exec(t); m; m = DURATION_PART.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = DURATION_PART.lastIndex;
  }
  if (end !== t.length || end === 0) throw new BudgetSyntaxError(`must be a duration such as 5m, 90s or 1m30s, not \`${text}\``);
  return Math.round(total);
}

/** `200MB`, `1.5GB`, `500kB` (decimal, as docker prints sizes), `512MiB` (binary) → bytes. */
export function parseSizeLimit(text: string): number {
  const t = text.trim().replace(/^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)$/, (_, n: string, u: string) => {
    const unit = u === '' ? 'B' : /^[kK][bB]$/.test(u) ? 'kB' : /^[a-zA-Z]i[bB]$/i.test(u) ? `${u[0]!.toUpperCase()}iB` : u.toUpperCase();
    return n + unit;
  });
  const bytes = parseSize(t);
  if (bytes === null) throw new BudgetSyntaxError(`must be a size such as 200MB, 1.5GB or 500kB, not \`${text}\``);
  return bytes;
}

/** `0.8` or `80%` → 0.8 (between 0 and 1). */
export function parseRatioLimit(text: string | number): number {
  const value = typeof text === 'number' ? text : parseNumberOrPercent(text, false);
  if (value === null || value < 0 || value > 1) throw new BudgetSyntaxError(`must be a ratio between 0 and 1 (such as 0.8) or a percentage (80%), not \`${text}\``);
  return value;
}

/** `10%` → 0.1. A percentage is required: `10` could mean 10% or 1000%. */
export function parsePercentLimit(text: string): number {
  const value = parseNumberOrPercent(text, true);
  if (value === null || value < 0) throw new BudgetSyntaxError(`must be a percentage such as 10%, not \`${text}\``);
  return value;
}

function parseNumberOrPercent(text: string, percentRequired: boolean): number | null {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  if (!m) return null;
  if (percentRequired && m[2] !== '%') return null;
  return m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
}

/** Parse one budget as written (a flag's value, or a config value: strings, or a number for the ratio). */
export function parseBudget(name: BudgetName, value: string | number): number {
  if (typeof value === 'number' && name !== 'min-cache-ratio') {
    throw new BudgetSyntaxError(`must be a string such as ${EXAMPLES[name]}, not the number ${value}`);
  }
  switch (name) {
    case 'max-duration':
    case 'max-step-duration': return parseDurationLimit(value as string);
    case 'min-cache-ratio': return parseRatioLimit(value);
    case 'max-context': return parseSizeLimit(value as string);
    case 'max-regression': return parsePercentLimit(value as string);
  }
}

const EXAMPLES: Record<BudgetName, string> = {
  'max-duration': '"5m"',
  'max-step-duration': '"60s"',
  'min-cache-ratio': '0.8',
  'max-context': '"200MB"',
  'max-regression': '"10%"',
};

/** Put a parsed value where it belongs in Budgets. */
export function setBudget(budgets: Budgets, name: BudgetName, value: number): void {
  switch (name) {
    case 'max-duration': budgets.maxDurationMs = value; break;
    case 'max-step-duration': budgets.maxStepDurationMs = value; break;
    case 'min-cache-ratio': budgets.minCacheRatio = value; break;
    case 'max-context': budgets.maxContextBytes = value; break;
    case 'max-regression': budgets.maxRegression = value; break;
  }
}

export function hasBudgets(b: Budgets): boolean {
  return Object.values(b).some((v) => v !== undefined);
}

/** The build time a budget is checked on: the wall time, else the summed step time, else null. */
export function buildTime(report: Report): { ms: number; what: 'wall time' | 'summed step time' } | null {
  if (report.totals.durationMs !== null) return { ms: report.totals.durationMs, what: 'wall time' };
  if (report.totals.timedSteps > 0) return { ms: report.totals.stepsDurationMs, what: 'summed step time' };
  return null;
}

/** Cached / non-internal steps; null when the build has none. */
export function cacheRatio(report: Report): number | null {
  return report.totals.steps === 0 ? null : report.totals.cached / report.totals.steps;
}

function ratioText(r: number): string {
  return (Math.round(r * 100) / 100).toFixed(2);
}

function percentText(r: number): string {
  const p = Math.round(r * 1000) / 10;
  return `${p > 0 ? '+' : ''}${Number.isInteger(p) ? p.toFixed(0) : p.toFixed(1)}%`;
}

/**
 * Check `report` against `budgets`. `baseline` is the report `--max-regression` compares with (the
 * BEFORE side of `compare`, or `--baseline FILE`); without it that budget is unchecked.
 */
export function checkBudgets(report: Report, budgets: Budgets, baseline: Report | null = null): BudgetResult {
  const breaches: BudgetBreach[] = [];
  const unchecked: BudgetUnchecked[] = [];
  const noClock = `the ${report.source.format} log carries no step times`;
  if (budgets.maxDurationMs !== undefined) {
    const t = buildTime(report);
    if (t === null) unchecked.push({ budget: 'max-duration', reason: noClock });
    else if (t.ms > budgets.maxDurationMs) {
      breaches.push({ budget: 'max-duration', subject: t.what, figure: formatDuration(t.ms), limit: formatDuration(budgets.maxDurationMs), stepId: null });
    }
  }
  if (budgets.maxStepDurationMs !== undefined) {
    const limit = budgets.maxStepDurationMs;
    const timed = report.steps.filter((s) => !s.internal && s.durationMs !== null);
    if (timed.length === 0 && report.totals.steps > 0) unchecked.push({ budget: 'max-step-duration', reason: noClock });
    for (const s of timed) {
      if (s.durationMs! > limit) {
        breaches.push({ budget: 'max-step-duration', subject: stepLabel(s), figure: formatDuration(s.durationMs!), limit: formatDuration(limit), stepId: s.id });
      }
    }
  }
  if (budgets.minCacheRatio !== undefined) {
    const r = cacheRatio(report);
    if (r === null) unchecked.push({ budget: 'min-cache-ratio', reason: 'the build has no steps' });
    else if (r < budgets.minCacheRatio) {
      breaches.push({ budget: 'min-cache-ratio', subject: `cache ratio (${report.totals.cached} of ${report.totals.steps} steps cached)`, figure: ratioText(r), limit: ratioText(budgets.minCacheRatio), stepId: null });
    }
  }
  if (budgets.maxContextBytes !== undefined) {
    const bytes = report.context?.transferredBytes ?? null;
    if (bytes === null) unchecked.push({ budget: 'max-context', reason: 'the log does not say how big the context was' });
    else if (bytes > budgets.maxContextBytes) {
      breaches.push({ budget: 'max-context', subject: 'build context', figure: formatSize(bytes), limit: formatSize(budgets.maxContextBytes), stepId: null });
    }
  }
  if (budgets.maxRegression !== undefined) {
    const before = baseline ? regressionBase(baseline, report) : null;
    if (!baseline) unchecked.push({ budget: 'max-regression', reason: 'there is no baseline: pass --baseline FILE, or use `buildlens compare`' });
    else if (before === null) unchecked.push({ budget: 'max-regression', reason: 'one of the two logs carries no step times' });
    else if (before.before > 0) {
      const change = (before.after - before.before) / before.before;
      if (change > budgets.maxRegression) {
        breaches.push({
          budget: 'max-regression',
          subject: `${before.what} change (${formatDuration(before.before)} -> ${formatDuration(before.after)})`,
          figure: percentText(change),
          limit: percentText(budgets.maxRegression),
          stepId: null,
        });
      }
    }
  }
  const set = BUDGET_FLAGS.filter((name) => budgets[BUDGET_FIELDS[name]] !== undefined);
  return { set, breaches, unchecked };
}

const BUDGET_FIELDS: Record<BudgetName, keyof Budgets> = {
  'max-duration': 'maxDurationMs',
  'max-step-duration': 'maxStepDurationMs',
  'min-cache-ratio': 'minCacheRatio',
  'max-context': 'maxContextBytes',
  'max-regression': 'maxRegression',
};

/** The figure a regression is measured on: wall time when both reports have it, else summed step time. */
function regressionBase(before: Report, after: Report): { before: number; after: number; what: string } | null {
  if (before.totals.durationMs !== null && after.totals.durationMs !== null) {
    return { before: before.totals.durationMs, after: after.totals.durationMs, what: 'wall time' };
  }
  if (before.totals.timedSteps > 0 && after.totals.timedSteps > 0) {
    return { before: before.totals.stepsDurationMs, after: after.totals.stepsDurationMs, what: 'summed step time' };
  }
  return null;
}

function stepLabel(s: Report['steps'][number]): string {
  const text = (s.instruction ?? s.name).split('\n')[0]!;
  const short = text.length > 60 ? text.slice(0, 59) + '…' : text;
  return `step ${s.stage ? s.stage + ' ' : ''}${short}`;
}

/** `budget --max-duration breached: wall time is 6m12s, over the limit of 5m00s`. One line per breach. */
export function breachText(b: BudgetBreach): string {
  return `budget --${b.budget} breached: ${breachDetail(b)}`;
}

/** `wall time is 6m12s, over the limit of 5m00s`. */
export function breachDetail(b: BudgetBreach): string {
  const bound = b.budget === 'min-cache-ratio' ? 'under the minimum of' : 'over the limit of';
  return `${b.subject} is ${b.figure}, ${bound} ${b.limit}`;
}
