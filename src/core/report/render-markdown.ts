// The GitHub-flavoured markdown report (PR comments, job summaries). Pure: report in, string out.
// Every piece of text that comes from the log or the Dockerfile goes through src/core/markdown.ts:
// a build step can print anything, and this ends up rendered on GitHub. The layout: a one-line
// verdict, the slowest steps, the error, the findings with the Dockerfile change each proposes,
// warnings, then every step folded in <details>; under GitHub's comment limit (markdown-comment.ts).
import { codeSpan, escapeMarkdown, fencedBlock } from '../markdown.js';
import { unifiedDiff } from '../diff.js';
import { applyFix } from '../analyze.js';
import { breachDetail, type BudgetResult } from '../budgets.js';
import { costText, formatDuration, formatPercent } from './format.js';
import { buildFailed, failingStep, type Report, type ReportFinding, type ReportStep } from './report.js';
import { STATUS_LABEL, criticalPathLine, firstLine, hasShare, sameError, shareBase, slowestShown, stepText, stepTimeText, unknownWallTime, visibleSteps } from './common.js';
import { GITHUB_COMMENT_LIMIT, cutText, droppedNotice, fitComment, verdictLine, type Droppable } from './markdown-comment.js';

/** Instruction cells longer than this are cut (the full text is in the JSON report). */
const CELL_MAX = 100;
/** Error excerpt lines shown at most (the last ones). */
const EXCERPT_MAX_LINES = 60;
/** How many of the slowest steps are named. */
const SLOWEST_SHOWN = 5;

export interface MarkdownOptions {
  /** A report of an earlier build (the base branch's) for the "vs baseline" figures of the verdict. */
  baseline?: Report | null;
  /** What the baseline is called (`main`); default `baseline`. */
  baselineLabel?: string;
  /** The Dockerfile's text as the findings' fixes address it: each fix is then shown as a unified diff. */
  dockerfileText?: string | null;
  /** The size the text must stay under; default GitHub's comment limit (65,536). */
  limit?: number;
}

function cut(text: string, max = CELL_MAX): string {
  return cutText(text, max);
}

function indent(block: string, by: string): string {
  return block.split('\n').map((l) => (l === '' ? l : by + l)).join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function stepsTable(rows: ReportStep[]): string[] {
  const base = shareBase(rows);
  const withLine = rows.some((s) => s.line !== null);
  const head = ['#', 'Stage', 'Instruction', ...(withLine ? ['Line'] : []), 'Status', 'Time', 'Share'];
  const align = ['--:', '---', '---', ...(withLine ? ['--:'] : []), '---', '--:', '--:'];
  const out = [`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const s of rows) {
    const status = STATUS_LABEL[s.status];
    const share = hasShare(s, base) ? formatPercent(s.durationMs!, base) : '';
    const cells = [
      escapeMarkdown(s.id),
      escapeMarkdown(s.stage ?? ''),
      codeSpan(cut(firstLine(stepText(s)))),
      ...(withLine ? [s.line === null ? '' : String(s.line)] : []),
      s.status === 'error' ? `**${status}**` : status,
      s.durationMs === null ? '' : formatDuration(s.durationMs),
      share,
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  return out;
}

/** A finding's fix as a unified diff of the Dockerfile, or its edits as added/removed lines when the text is unknown. */
function proposedChange(f: ReportFinding, dockerfileText: string | null | undefined): { lang: string; text: string } | null {
  if (!f.fix || f.fix.edits.length === 0) return null;
  if (dockerfileText) {
    try {
      const diff = unifiedDiff((f.file ?? 'Dockerfile').replace(/\\/g, '/'), dockerfileText, applyFix(dockerfileText, f.fix));
      if (diff !== '') return { lang: 'diff', text: diff };
    } catch {
      // The Dockerfile changed since the analysis: show the edits alone.
    }
  }
  const lines: string[] = [];
  for (const e of f.fix.edits) {
    const where = e.endLine < e.startLine ? `before line ${e.startLine}` : e.startLine === e.endLine ? `line ${e.startLine}` : `lines ${e.startLine}-${e.endLine}`;
    lines.push(`@@ ${where}${e.text === '' ? ': remove' : e.endLine < e.startLine ? ': add' : ': becomes'} @@`);
    if (e.text !== '') for (const l of e.text.split('\n')) lines.push(`+${l}`);
  }
  return { lang: 'diff', text: lines.join('\n') };
}

function findingLines(f: ReportFinding, dockerfileText: string | null | undefined): string[] {
  const out: string[] = [];
  const location = f.file !== null ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : f.line !== null ? `line ${f.line}` : '';
  const stake = costText(f.costMs);
  const cost = stake ? ` (${stake})` : '';
  out.push(`- **${f.severity}** ${codeSpan(f.rule, { inTable: false })}${location ? ` at ${codeSpan(location, { inTable: false })}` : ''}${cost}: ${escapeMarkdown(f.message)}`);
  if (f.suggestion) {
    if (/\r|\n/.test(f.suggestion.trim())) out.push('  - Suggestion:', '', indent(fencedBlock(f.suggestion, 'dockerfile'), '    '), '');
    else out.push(`  - Suggestion: ${escapeMarkdown(f.suggestion)}`);
  }
  if (f.fix) {
    out.push(`  - Fix: ${escapeMarkdown(f.fix.description)}`);
    const change = proposedChange(f, dockerfileText);
    if (change) out.push('', indent(['<details>', '<summary>Proposed change</summary>', '', fencedBlock(change.text, change.lang), '', '</details>'].join('\n'), '    '), '');
  }
  return out;
}

/** The budgets right under the verdict: they decide whether the CI job passes. */
function budgetLines(b: BudgetResult): string[] {
  const out: string[] = [];
  for (const x of b.breaches) out.push(`- **Budget breached** ${codeSpan(`--${x.budget}`, { inTable: false })}: ${escapeMarkdown(breachDetail(x))}.`);
  for (const x of b.unchecked) out.push(`- Budget ${codeSpan(`--${x.budget}`, { inTable: false })} not checked: ${escapeMarkdown(x.reason)}.`);
  const met = b.set.filter((name) => !b.breaches.some((x) => x.budget === name) && !b.unchecked.some((x) => x.budget === name));
  if (met.length > 0) out.push(`- Budget${met.length === 1 ? '' : 's'} met: ${met.map((name) => codeSpan(`--${name}`, { inTable: false })).join(', ')}.`);
  return out.length > 0 ? [...out, ''] : [];
}

function renderWith(report: Report, options: MarkdownOptions, drop: ReadonlySet<Droppable>, maxRows = Infinity): string {
  const out: string[] = [verdictLine(report, options), ''];
  const t = report.totals;
  // Reports written before budgets were recorded have no such key.
  if (report.budgets) out.push(...budgetLines(report.budgets));

  const slowest = slowestShown(report, SLOWEST_SHOWN);
  if (slowest.length > 0) {
    const base = t.stepsDurationMs;
    out.push('### Slowest steps', '');
    slowest.forEach((s, i) => {
      const share = base > 0 && s.durationMs !== null ? ` (${formatPercent(s.durationMs, base)})` : '';
      out.push(`${i + 1}. ${codeSpan(cut(firstLine(s.name)), { inTable: false })} ${formatDuration(s.durationMs ?? 0)}${share}`);
    });
    out.push('');
  }

  if (buildFailed(report)) {
    const failed = failingStep(report);
    out.push('### Error', '');
    if (failed) out.push(`Failed step: ${codeSpan(cut(firstLine(failed.name)), { inTable: false })}`, '');
    const messages: string[] = [];
    if (failed?.error) messages.push(failed.error);
    if (report.error && !sameError(report.error, failed?.error)) messages.push(report.error);
    for (const m of messages) out.push(`> ${escapeMarkdown(m)}`, '');
    let excerpt = report.errorExcerpt;
    let title = 'Error excerpt';
    if (excerpt.length === 0 && failed && failed.output.length > 0) {
      excerpt = failed.output;
      title = 'Last output of the failed step';
    }
    if (excerpt.length > 0 && !drop.has('log-excerpts')) {
      const shown = excerpt.length > EXCERPT_MAX_LINES ? excerpt.slice(-EXCERPT_MAX_LINES) : excerpt;
      const dropped = excerpt.length - shown.length;
      out.push('<details>', `<summary>${title}${dropped > 0 ? ` (last ${shown.length} lines)` : ''}</summary>`, '');
      out.push(fencedBlock(shown.join('\n'), 'text'), '', '</details>', '');
    }
  }

  if (report.findings.length > 0) {
    const shown = drop.has('low-findings') ? report.findings.filter((f) => f.severity !== 'info') : report.findings;
    out.push('### Findings', '');
    if (report.atStakeMs !== null && report.atStakeMs !== undefined) out.push(`**~${formatDuration(report.atStakeMs)} at stake** (the time of the steps these findings re-run or slow down, each step once).`, '');
    for (const f of shown) out.push(...findingLines(f, options.dockerfileText));
    const left = report.findings.length - shown.length;
    if (left > 0) out.push(`- ${plural(left, 'info finding')} left out`);
    out.push('');
  }
  if ((report.suppressedFindings ?? 0) > 0) out.push(`<sub>${report.suppressedFindings} finding${report.suppressedFindings === 1 ? '' : 's'} suppressed by pragmas.</sub>`, '');

  if (report.warnings.length > 0) {
    out.push('### Warnings', '');
    for (const w of report.warnings) {
      const where = [w.stepId !== null ? `step ${escapeMarkdown(w.stepId)}` : '', w.line !== null ? `line ${w.line}` : ''].filter(Boolean).join(', ');
      out.push(`- ${escapeMarkdown(w.message)}${where ? ` (${where})` : ''}`);
    }
    out.push('');
  }

  const { rows: allRows, hiddenInternal } = visibleSteps(report);
  const uncached = drop.has('cached-steps') ? allRows.filter((s) => s.status !== 'cached') : allRows;
  const leftCached = allRows.length - uncached.length;
  const rows = uncached.length > maxRows ? uncached.slice(0, maxRows) : uncached;
  const leftRows = uncached.length - rows.length;
  const summary = `Steps: ${t.cached} cached, ${t.executed} executed${t.steps > 0 ? ` of ${t.steps}` : ''}`;
  out.push('<details>', `<summary>${summary}</summary>`, '');
  if (rows.length > 0) out.push(...stepsTable(rows), '');
  else if (allRows.length === 0) out.push('No build steps were found in the log.', '');
  const notes: string[] = [];
  notes.push(`Wall time ${t.durationMs === null ? unknownWallTime(report) : formatDuration(t.durationMs)}`);
  notes.push(`step time ${stepTimeText(report)}`);
  notes.push(`${t.cached} cached, ${t.executed} executed`);
  if (t.canceled > 0) notes.push(`${t.canceled} canceled`);
  if (t.incomplete > 0) notes.push(`${t.incomplete} incomplete`);
  if (hiddenInternal > 0) notes.push(`${plural(hiddenInternal, 'internal step')} hidden (under 0.5s each)`);
  if (leftCached > 0) notes.push(`${plural(leftCached, 'cached step')} left out`);
  if (leftRows > 0) notes.push(`the last ${plural(leftRows, 'step')} left out`);
  const pathLine = criticalPathLine(report, false);
  if (pathLine) notes.push(escapeMarkdown(pathLine));
  out.push(`<sub>${notes.join(' · ')}</sub>`, '', '</details>', '');

  const notice = droppedNotice(drop, leftRows > 0 ? [`the last ${plural(leftRows, 'step')}`] : []);
  if (notice) out.push(notice, '');
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const fit = fitComment((drop) => renderWith(report, options, drop), limit);
  if (!fit.cut) return fit.text;
  // Still too long with every drop: keep as many rows of the steps table as fit (the first ones,
  // in build order), found by bisection; the cut stays the last resort.
  const drop = new Set(fit.dropped);
  let lo = 0;
  let hi = report.steps.length;
  if (renderWith(report, options, drop, 0).length >= limit) return fit.text;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (renderWith(report, options, drop, mid).length < limit) lo = mid;
    else hi = mid - 1;
  }
  return renderWith(report, options, drop, lo);
}
