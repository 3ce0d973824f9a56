// The GitHub-flavoured markdown report (PR comments, job summaries). Pure: report in, string out.
// Every piece of text that comes from the log or the Dockerfile goes through src/core/markdown.ts:
// a build step can print anything, and this ends up rendered on GitHub.
import { codeSpan, escapeMarkdown, fencedBlock } from '../markdown.js';
import { formatDuration, formatPercent, formatSize } from './format.js';
import { buildFailed, failingStep, type Report, type ReportStep } from './report.js';
import { STATUS_LABEL, criticalPathLine, firstLine, hasShare, sameError, shareBase, slowestShown, stepText, stepTimeText, unknownWallTime, visibleSteps } from './common.js';

/** Instruction cells longer than this are cut (the full text is in the JSON report). */
const CELL_MAX = 100;
/** Error excerpt lines shown at most (the last ones). */
const EXCERPT_MAX_LINES = 60;

function cut(text: string, max = CELL_MAX): string {
  const c = Array.from(text);
  return c.length <= max ? text : c.slice(0, max - 1).join('') + '…';
}

function indent(block: string, by: string): string {
  return block.split('\n').map((l) => by + l).join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function verdict(report: Report): string {
  const t = report.totals;
  const parts: string[] = [];
  if (buildFailed(report)) {
    const failed = failingStep(report);
    parts.push('**Build failed**' + (failed ? ` at ${codeSpan(cut(firstLine(failed.name)), { inTable: false })}` : ''));
  } else if (report.incomplete) {
    parts.push('**Build incomplete** (the log stops before the build ended)');
  } else if (t.durationMs !== null) {
    parts.push(`**Build ${formatDuration(t.durationMs)}**`);
  } else {
    parts.push('**Build succeeded**');
  }
  if (t.durationMs === null && !buildFailed(report) && t.timedSteps > 0) parts.push(`${formatDuration(t.stepsDurationMs)} of step time`);
  if (t.steps > 0) parts.push(`${t.cached}/${t.steps} steps cached`);
  if (report.context !== null) parts.push(`context ${formatSize(report.context.transferredBytes)}`);
  if (report.findings.length > 0) parts.push(plural(report.findings.length, 'finding'));
  return parts.join(' · ');
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

export function renderMarkdown(report: Report): string {
  const out: string[] = [verdict(report), ''];
  const { rows, hiddenInternal } = visibleSteps(report);
  const t = report.totals;

  out.push('### Steps', '');
  if (rows.length > 0) out.push(...stepsTable(rows), '');
  else out.push('No build steps were found in the log.', '');
  const notes: string[] = [];
  notes.push(`Wall time ${t.durationMs === null ? unknownWallTime(report) : formatDuration(t.durationMs)}`);
  notes.push(`step time ${stepTimeText(report)}`);
  notes.push(`${t.cached} cached, ${t.executed} executed`);
  if (t.canceled > 0) notes.push(`${t.canceled} canceled`);
  if (t.incomplete > 0) notes.push(`${t.incomplete} incomplete`);
  if (hiddenInternal > 0) notes.push(`${plural(hiddenInternal, 'internal step')} hidden (under 0.5s each)`);
  const pathLine = criticalPathLine(report, false);
  if (pathLine) notes.push(escapeMarkdown(pathLine));
  out.push(`<sub>${notes.join(' · ')}</sub>`, '');

  const slowest = slowestShown(report, 3);
  if (slowest.length > 0) {
    out.push('### Slowest steps', '');
    slowest.forEach((s, i) => {
      out.push(`${i + 1}. ${codeSpan(cut(firstLine(s.name)), { inTable: false })} ${formatDuration(s.durationMs ?? 0)}`);
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
    if (excerpt.length > 0) {
      const shown = excerpt.length > EXCERPT_MAX_LINES ? excerpt.slice(-EXCERPT_MAX_LINES) : excerpt;
      const dropped = excerpt.length - shown.length;
      out.push('<details>', `<summary>${title}${dropped > 0 ? ` (last ${shown.length} lines)` : ''}</summary>`, '');
      out.push(fencedBlock(shown.join('\n'), 'text'), '', '</details>', '');
    }
  }

  if (report.warnings.length > 0) {
    out.push('### Warnings', '');
    for (const w of report.warnings) {
      const where = [w.stepId !== null ? `step ${escapeMarkdown(w.stepId)}` : '', w.line !== null ? `line ${w.line}` : ''].filter(Boolean).join(', ');
      out.push(`- ${escapeMarkdown(w.message)}${where ? ` (${where})` : ''}`);
    }
    out.push('');
  }

  if (report.findings.length > 0) {
    out.push('### Findings', '');
    if (report.atStakeMs !== null) out.push(`**~${formatDuration(report.atStakeMs)} per build at stake** (the time of the steps these findings re-run or slow down, each step once).`, '');
    for (const f of report.findings) {
      const location = f.file !== null ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : f.line !== null ? `line ${f.line}` : '';
      const cost = f.costMs !== null ? ` (~${formatDuration(f.costMs)} per build)` : '';
      out.push(`- **${f.severity}** ${codeSpan(f.rule, { inTable: false })}${location ? ` at ${codeSpan(location, { inTable: false })}` : ''}${cost}: ${escapeMarkdown(f.message)}`);
      if (f.suggestion) {
        if (/\r|\n/.test(f.suggestion.trim())) out.push('  - Suggestion:', '', indent(fencedBlock(f.suggestion, 'dockerfile'), '    '), '');
        else out.push(`  - Suggestion: ${escapeMarkdown(f.suggestion)}`);
      }
      if (f.fix) out.push(`  - Fix: ${escapeMarkdown(f.fix.description)}`);
    }
    out.push('');
  }
  if ((report.suppressedFindings ?? 0) > 0) out.push(`<sub>${report.suppressedFindings} finding${report.suppressedFindings === 1 ? '' : 's'} suppressed by pragmas.</sub>`, '');

  return out.join('\n').replace(/\n+$/, '') + '\n';
}
