// Renderers of `buildlens compare`: a plain table for terminals and CI logs, GitHub markdown for pull
// requests, and JSON. Pure: comparison in, string out. Step names come from build logs: the table
// strips control characters, the markdown escapes everything (src/core/markdown.ts).
import type { Change, Comparison, StepComparison } from '../compare.js';
import type { BudgetResult } from '../budgets.js';
import { breachText } from '../budgets.js';
import { codeSpan, escapeMarkdown, stripControl } from '../markdown.js';
import { formatDuration, formatSize } from './format.js';
import { INTERNAL_SHOWN_FROM_MS, STATUS_LABEL, firstLine } from './common.js';
import type { ReportFinding } from './report.js';

/** Step text is cut to this many characters in either format (the JSON keeps it whole). */
const STEP_MAX = 60;

function cut(text: string, max = STEP_MAX): string {
  const c = Array.from(text);
  return c.length <= max ? text : c.slice(0, max - 3).join('').trimEnd() + '...';
}

function stepLabel(s: StepComparison): string {
  const text = firstLine(s.internal ? s.name : s.instruction ?? s.name, ' ...');
  return cut(s.stage && !s.internal ? `${s.stage}: ${text}` : text);
}

/** The steps worth a row: non-internal ones, and internal ones that took noticeable time on either side. */
export function shownSteps(c: Comparison): StepComparison[] {
  return c.steps.filter((s) => !s.internal || Math.max(s.before?.durationMs ?? 0, s.after?.durationMs ?? 0) >= INTERNAL_SHOWN_FROM_MS);
}

/** Durations under this on both sides are noise: no ratio, and a change under it prints as 0.0s. */
const NOISE_MS = 50;

function signedDuration(ms: number): string {
  if (Math.abs(ms) < NOISE_MS) return '0.0s';
  return (ms > 0 ? '+' : '-') + formatDuration(Math.abs(ms));
}

function signedSize(bytes: number): string {
  if (bytes === 0) return '0B';
  return (bytes > 0 ? '+' : '-') + formatSize(Math.abs(bytes));
}

function ratioText(r: number | null, before?: number | null): string {
  if (r === null || (before !== undefined && (before ?? 0) < NOISE_MS)) return '';
  return `${r.toFixed(2)}x`;
}

type Kind = 'duration' | 'ratio' | 'size' | 'count';

function value(v: number | null, kind: Kind): string {
  if (v === null) return 'n/a';
  switch (kind) {
    case 'duration': return formatDuration(v);
    case 'ratio': return `${Math.round(v * 100)}%`;
    case 'size': return formatSize(v);
    case 'count': return String(v);
  }
}

function deltaText(c: Change, kind: Kind): string {
  if (c.delta === null) return '';
  switch (kind) {
    case 'duration': {
      const ratio = ratioText(c.ratio, c.before);
      return `${signedDuration(c.delta)}${ratio ? `, ${ratio}` : ''}`;
    }
    case 'ratio': {
      const pts = Math.round(c.delta * 100);
      return `${pts > 0 ? '+' : ''}${pts} pts`;
    }
    case 'size': return signedSize(c.delta);
    case 'count': return `${c.delta > 0 ? '+' : ''}${c.delta}`;
  }
}

function totalRows(c: Comparison): Array<[string, string, string, string]> {
  const t = c.totals;
  const rows: Array<[string, Change, Kind]> = [
    ['wall time', t.wallMs, 'duration'],
    ['steps sum', t.stepsDurationMs, 'duration'],
    ['critical path', t.criticalPathMs, 'duration'],
    ['cache ratio', t.cacheRatio, 'ratio'],
    ['cached steps', t.cachedSteps, 'count'],
    ['context', t.contextBytes, 'size'],
  ];
  const out = rows.map(([name, ch, kind]) => [name, value(ch.before, kind), value(ch.after, kind), deltaText(ch, kind)] as [string, string, string, string]);
  out.push(['findings', String(t.findings.before ?? 0), String(t.findings.after ?? 0), `${c.findings.new.length} new, ${c.findings.fixed.length} fixed`]);
  return out;
}

function statusText(s: StepComparison, arrow: string): string {
  const b = s.before ? STATUS_LABEL[s.before.status] : '-';
  const a = s.after ? STATUS_LABEL[s.after.status] : '-';
  if (s.change === 'added') return `added ${a}`;
  if (s.change === 'removed') return `removed ${b}`;
  return b === a ? a : `${b}${arrow}${a}`;
}

function durationCell(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : formatDuration(v);
}

function stepRow(s: StepComparison, arrow: string): string[] {
  return [
    statusText(s, arrow),
    stepLabel(s),
    durationCell(s.before?.durationMs),
    durationCell(s.after?.durationMs),
    s.deltaMs === null ? '' : signedDuration(s.deltaMs),
    ratioText(s.ratio, s.before?.durationMs ?? null),
  ];
}

/** The one-line verdict: `wall 41.2s -> 12.0s (-29.2s, 0.29x); 2/9 -> 8/9 steps cached; 1 finding fixed`. */
export function compareVerdict(c: Comparison, arrow = ' -> '): string {
  const t = c.totals;
  const parts: string[] = [];
  const time = t.wallMs.delta !== null ? ['wall', t.wallMs] as const : t.stepsDurationMs.delta !== null ? ['steps sum', t.stepsDurationMs] as const : null;
  if (time) parts.push(`${time[0]} ${formatDuration(time[1].before!)}${arrow}${formatDuration(time[1].after!)} (${deltaText(time[1], 'duration')})`);
  else parts.push('no comparable build time');
  if (t.cachedSteps.before !== null && t.cachedSteps.after !== null) {
    const steps = (r: Comparison['steps'], pick: 'before' | 'after') => r.filter((s) => !s.internal && s[pick] !== null).length;
    parts.push(`${t.cachedSteps.before}/${steps(c.steps, 'before')}${arrow}${t.cachedSteps.after}/${steps(c.steps, 'after')} steps cached`);
  }
  if (c.findings.new.length > 0) parts.push(`${c.findings.new.length} new finding${c.findings.new.length === 1 ? '' : 's'}`);
  if (c.findings.fixed.length > 0) parts.push(`${c.findings.fixed.length} finding${c.findings.fixed.length === 1 ? '' : 's'} fixed`);
  if (c.after.failed) parts.push('AFTER build failed');
  return parts.join('; ');
}

function pad(cells: string[][]): string[] {
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Array.from(cell).length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - Array.from(cell).length))).join('  ').trimEnd());
}

function findingLine(f: ReportFinding): string {
  const where = f.file ? `${f.file}${f.line !== null ? `:${f.line}` : ''} ` : '';
  return `${where}${f.rule}: ${firstLine(f.message, ' ...')}`;
}

function budgetLines(b: BudgetResult | null): string[] {
  if (!b) return [];
  const out: string[] = [];
  for (const x of b.breaches) out.push(breachText(x));
  for (const x of b.unchecked) out.push(`unchecked --${x.budget}: ${x.reason}`);
  if (out.length === 0) out.push('all budgets met');
  return out;
}

/** Plain ASCII, aligned: totals, then every shown step, then findings new and fixed, then budgets. */
export function renderCompareTable(c: Comparison): string {
  const clean = (s: string) => stripControl(s).replace(/[\t\r\n]+/g, ' ');
  const out: string[] = [];
  out.push(`Compare ${clean(c.before.file)} -> ${clean(c.after.file)}`);
  out.push(compareVerdict(c));
  out.push('');
  out.push(...pad([['TOTAL', 'BEFORE', 'AFTER', 'CHANGE'], ...totalRows(c)]));
  out.push('');
  const rows = shownSteps(c);
  out.push(`Steps: ${c.counts.matched} matched, ${c.counts.added} added, ${c.counts.removed} removed`);
  out.push(...pad([['STATUS', 'STEP', 'BEFORE', 'AFTER', 'DELTA', 'RATIO'], ...rows.map((s) => stepRow(s, ' -> ').map(clean))]));
  if (c.findings.new.length > 0 || c.findings.fixed.length > 0) {
    out.push('');
    for (const f of c.findings.new) out.push(`new:   ${clean(findingLine(f))}`);
    for (const f of c.findings.fixed) out.push(`fixed: ${clean(findingLine(f))}`);
  }
  const budgets = budgetLines(c.budgets);
  if (budgets.length > 0) {
    out.push('');
    out.push(...budgets);
  }
  return out.join('\n') + '\n';
}

function mdRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** GitHub markdown: the verdict, totals, the steps whose time or cache status changed, findings, budgets. */
export function renderCompareMarkdown(c: Comparison): string {
  const out: string[] = [];
  out.push(`**Compared with ${codeSpan(c.before.file, { inTable: false })}:** ${escapeMarkdown(compareVerdict(c, ' → '))}`);
  out.push('');
  out.push(mdRow(['', 'Before', 'After', 'Change']));
  out.push(mdRow(['---', '--:', '--:', '--:']));
  for (const r of totalRows(c)) out.push(mdRow([r[0], ...r.slice(1).map(escapeMarkdown)]));
  out.push('');
  const rows = shownSteps(c);
  const changed = rows.filter((s) => s.change !== 'matched' || s.before!.status !== s.after!.status || Math.abs(s.deltaMs ?? 0) >= 100);
  const table = (list: StepComparison[]) => {
    const lines = [mdRow(['Status', 'Step', 'Before', 'After', 'Delta', 'Ratio']), mdRow(['---', '---', '--:', '--:', '--:', '--:'])];
    for (const s of list) {
      const [status, , ...rest] = stepRow(s, ' → ');
      lines.push(mdRow([escapeMarkdown(status!), codeSpan(stepLabel(s)), ...rest.map(escapeMarkdown)]));
    }
    return lines;
  };
  out.push(`**Steps:** ${c.counts.matched} matched, ${c.counts.added} added, ${c.counts.removed} removed; ${changed.length} changed.`);
  out.push('');
  if (changed.length > 0) {
    out.push(...table(changed));
    out.push('');
  }
  if (rows.length > changed.length) {
    out.push('<details><summary>Every step</summary>', '', ...table(rows), '', '</details>', '');
  }
  if (c.findings.new.length > 0 || c.findings.fixed.length > 0) {
    for (const f of c.findings.new) out.push(`- **new** ${codeSpan(f.rule, { inTable: false })}: ${escapeMarkdown(firstLine(f.message, ' …'))}`);
    for (const f of c.findings.fixed) out.push(`- **fixed** ${codeSpan(f.rule, { inTable: false })}: ${escapeMarkdown(firstLine(f.message, ' …'))}`);
    out.push('');
  }
  const budgets = budgetLines(c.budgets);
  for (const b of budgets) out.push(`- ${escapeMarkdown(b)}`);
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

export function renderCompareJson(c: Comparison): string {
  return JSON.stringify(c, null, 2) + '\n';
}
