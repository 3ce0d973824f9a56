// The terminal report: a table of steps in build order, then a summary. Pure: report in, string out.
// Without colour everything is plain ASCII that still lines up (borders, bars, ellipses), as the
// output may be a CI log or a file; with colour, box-drawing borders and a unicode block bar.
import Table from 'cli-table3';
import { stripControl } from '../markdown.js';
import { costText, formatDuration, formatPercent, formatSize } from './format.js';
import { buildFailed, failingStep, type Report, type ReportStep } from './report.js';
import { STATUS_LABEL, criticalPathLine, firstLine, hasShare, sameError, shareBase, slowestShown, stepText, stepTimeText, unknownWallTime, visibleSteps } from './common.js';

export interface TableOptions {
  /** Terminal width in columns; every line fits in it (down to about 40 columns). */
  width: number;
  color: boolean;
}

const ASCII_CHARS = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|',
};

/** Box drawing, for colour terminals; `compact` leaves only the rule under the header. */
const BOX_CHARS = {};

type Paint = (code: string, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (code, text) => (text === '' || code === '' ? text : `\u001b[${code}m${text}\u001b[0m`) : (_code, text) => text;
}

const STATUS_COLOUR: Record<string, string> = { CACHED: '32', DONE: '', ERROR: '1;31', CANCELED: '33', INCOMPLETE: '33' };

/** Untrusted text made safe for a terminal: no escape sequences, no control characters, one line. */
function clean(text: string): string {
  return stripControl(text).replace(/\t/g, ' ');
}

function chars(text: string): string[] {
  return Array.from(text);
}

/** `imported from app:cache in 1.4s (served 6 steps); exported to registry in 3.8s (12 layers)`. */
export function remoteCacheText(c: NonNullable<Report['remoteCache']>): string | null {
  const parts: string[] = [];
  const time = (ms: number | null) => (ms === null ? '' : ` in ${formatDuration(ms)}`);
  for (const i of c.imports) parts.push(`imported from ${i.source}${time(i.durationMs)}`);
  if (c.imports.length > 0 && c.stepsFromCache !== null) parts[parts.length - 1] += ` (served ${c.stepsFromCache} step${c.stepsFromCache === 1 ? '' : 's'})`;
  for (const e of c.exports) {
    const layers = e.layersWritten > 0 ? ` (${e.layersWritten} layer${e.layersWritten === 1 ? '' : 's'})` : '';
    parts.push(`exported to ${e.destination}${time(e.durationMs)}${layers}`);
  }
  if (c.inline) parts.push('inline cache in the image');
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Cut to `max` characters with an ellipsis marker. */
export function shorten(text: string, max: number, ellipsis: string): string {
  const c = chars(text);
  if (c.length <= max) return text;
  if (max <= ellipsis.length) return c.slice(0, max).join('');
  return c.slice(0, max - ellipsis.length).join('').trimEnd() + ellipsis;
}

/** Word-wrap `text` to `width`, the first line prefixed by `first` and the rest by `rest` (same length). */
function wrap(text: string, width: number, first: string, rest: string): string[] {
  const room = Math.max(10, width - first.length);
  const out: string[] = [];
  for (const para of clean(text).split(/\r\n|\r|\n/)) {
    const words = para.split(/ +/);
    let line = '';
    for (let word of words) {
      while (chars(word).length > room) {
        // A word longer than the line: hard-break it.
        if (line) { out.push(line); line = ''; }
        out.push(chars(word).slice(0, room).join(''));
        word = chars(word).slice(room).join('');
      }
      if (line === '') line = word;
      else if (chars(line).length + 1 + chars(word).length <= room) line += ' ' + word;
      else { out.push(line); line = word; }
    }
    out.push(line);
  }
  return out.map((l, i) => (i === 0 ? first : rest) + l);
}

/** `  3% ###       ` with a fixed width; `#` without colour, eighth blocks with it. */
function bar(share: number, width: number, color: boolean): string {
  if (width <= 0) return '';
  const clamped = Math.min(1, Math.max(0, share));
  if (!color) {
    const n = Math.round(clamped * width);
    return '#'.repeat(n) + ' '.repeat(width - n);
  }
  const eighths = Math.round(clamped * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  const partial = part > 0 ? ' ▏▎▍▌▋▊▉'[part]! : '';
  const used = full + (partial ? 1 : 0);
  return '█'.repeat(full) + partial + ' '.repeat(width - used);
}

interface Layout {
  id: number;
  /** 0: no Dockerfile line column (steps not mapped to a Dockerfile). */
  line: number;
  /** 0: no stage column (very narrow terminals). */
  stage: number;
  instruction: number;
  status: number;
  duration: number;
  /** 0: no share column; else the width of the percentage plus the bar. */
  share: number;
  bar: number;
}

const MIN_INSTRUCTION = 16;
const PREFERRED_INSTRUCTION = 30;
const PCT_WIDTH = 4; // `100%`

/**
 * Column widths (content only) for `width` columns. The instruction column comes first: the bar
 * shrinks, then goes; then the share column; then the stage column.
 */
function layout(width: number, cells: Array<{ id: string; line: string; stage: string; status: string; duration: string }>): Layout {
  const max = (head: string, values: string[]) => Math.max(chars(head).length, ...values.map((v) => chars(v).length));
  const l: Layout = {
    id: max('#', cells.map((c) => c.id)),
    line: cells.some((c) => c.line !== '') ? max('Line', cells.map((c) => c.line)) : 0,
    stage: Math.min(14, max('Stage', cells.map((c) => c.stage))),
    instruction: 0,
    status: max('Status', cells.map((c) => c.status)),
    duration: max('Time', cells.map((c) => c.duration)),
    share: 0,
    bar: 0,
  };
  const room = () => {
    const widths = [l.id, l.line, l.stage, l.status, l.duration, l.share].filter((w) => w > 0);
    const cols = widths.length + 1;
    // content, padding 1+1 per column, cols+1 borders
    return width - (widths.reduce((a, b) => a + b, 0) + cols * 2 + cols + 1);
  };
  const withShare = (min: number) => {
    for (const barWidth of [10, 8, 6, 4, 0]) {
      l.bar = barWidth;
      l.share = Math.max('Share'.length, PCT_WIDTH + (barWidth > 0 ? 1 + barWidth : 0));
      if (room() >= min) return true;
    }
    l.share = 0;
    l.bar = 0;
    return false;
  };
  if (!withShare(PREFERRED_INSTRUCTION) && !withShare(MIN_INSTRUCTION) && room() < MIN_INSTRUCTION) l.stage = 0;
  l.instruction = Math.max(8, room());
  return l;
}

function renderSteps(rows: ReportStep[], opts: TableOptions, paint: Paint, ellipsis: string): string {
  const base = shareBase(rows);
  const cells = rows.map((s) => ({
    id: clean(s.id),
    line: s.line === null ? '' : String(s.line),
    stage: clean(s.stage ?? (s.internal ? '' : '-')),
    status: STATUS_LABEL[s.status],
    duration: s.durationMs === null ? '-' : formatDuration(s.durationMs),
  }));
  const l = layout(opts.width, cells);
  type Column = { head: string; width: number; align: 'left' | 'right'; cell: (s: ReportStep, i: number) => string };
  const dim = (s: ReportStep, t: string) => (s.internal ? paint('2', t) : t);
  const allColumns: Column[] = [
    { head: '#', width: l.id, align: 'right', cell: (s, i) => dim(s, cells[i]!.id) },
    { head: 'Line', width: l.line, align: 'right', cell: (s, i) => dim(s, cells[i]!.line) },
    { head: 'Stage', width: l.stage, align: 'left', cell: (s, i) => dim(s, shorten(cells[i]!.stage, l.stage, ellipsis)) },
    {
      head: 'Instruction', width: l.instruction, align: 'left',
      cell: (s) => dim(s, shorten(clean(firstLine(stepText(s), ' ' + ellipsis)), l.instruction, ellipsis)),
    },
    { head: 'Status', width: l.status, align: 'left', cell: (_s, i) => paint(STATUS_COLOUR[cells[i]!.status] ?? '', cells[i]!.status) },
    { head: 'Time', width: l.duration, align: 'right', cell: (s, i) => dim(s, cells[i]!.duration) },
    {
      head: 'Share', width: l.share, align: 'left',
      cell: (s) => {
        const known = hasShare(s, base);
        const pct = known ? formatPercent(s.durationMs!, base).padStart(PCT_WIDTH) : ' '.repeat(PCT_WIDTH);
        return pct + (l.bar > 0 ? ' ' + paint('36', bar(known ? s.durationMs! / base : 0, l.bar, opts.color)) : '');
      },
    },
  ];
  const columns = allColumns.filter((c) => c.width > 0);
  const table = new Table({
    head: columns.map((c) => paint('1', c.head)),
    colWidths: columns.map((c) => c.width + 2),
    colAligns: columns.map((c) => c.align),
    wordWrap: false,
    truncate: ellipsis,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    chars: opts.color ? BOX_CHARS : ASCII_CHARS,
  });
  rows.forEach((s, i) => table.push(columns.map((c) => c.cell(s, i))));
  return table.toString();
}

function stepTitle(s: ReportStep): string {
  return `#${s.id} ${firstLine(s.name)}`;
}

export function renderTable(report: Report, opts: TableOptions): string {
  const paint = painter(opts.color);
  const ellipsis = opts.color ? '…' : '...';
  const width = Math.max(20, Math.floor(opts.width));
  const fit = (line: string) => shorten(line, width, ellipsis);
  const out: string[] = [];
  const { rows, hiddenInternal } = visibleSteps(report);

  if (rows.length > 0) out.push(renderSteps(rows, { ...opts, width }, paint, ellipsis));
  else out.push('No build steps were found in the log.');
  out.push('');

  const label = (name: string) => paint('1', name.padEnd(12));
  const indent = ' '.repeat(12);
  const t = report.totals;
  const field = (name: string, value: string) =>
    out.push(...wrap(value, width, indent, indent).map((l, i) => (i === 0 ? label(name) + l.slice(indent.length) : l)));

  field('Wall time', t.durationMs === null ? unknownWallTime(report) : formatDuration(t.durationMs));
  field('Step time', stepTimeText(report));
  const executed = t.steps > 0 ? ` (${formatPercent(t.cached, t.steps)} cached)` : '';
  let stepsLine = `${t.cached} cached, ${t.executed} executed of ${t.steps}${executed}`;
  if (t.canceled > 0) stepsLine += `, ${t.canceled} canceled`;
  if (t.incomplete > 0) stepsLine += `, ${t.incomplete} incomplete`;
  field('Steps', stepsLine);
  field('Context', report.context === null ? 'unknown' : `${formatSize(report.context.transferredBytes)} transferred`);
  const cache = report.remoteCache ? remoteCacheText(report.remoteCache) : null;
  if (cache) field('Cache', clean(cache));
  if (hiddenInternal > 0) field('Hidden', `${hiddenInternal} internal step${hiddenInternal === 1 ? '' : 's'} (under 0.5s each)`);

  const slowest = slowestShown(report, 3);
  if (slowest.length > 0) {
    out.push(paint('1', 'Slowest'));
    slowest.forEach((s, i) => {
      const dur = formatDuration(s.durationMs ?? 0);
      const room = width - 5 - dur.length - 2;
      out.push(`  ${i + 1}. ${shorten(clean(stepTitle(s)), room, ellipsis)}  ${dur}`);
    });
  }

  const pathLine = criticalPathLine(report, !opts.color);
  if (pathLine) field('Critical', pathLine);

  if (report.incomplete) {
    field('Incomplete', 'the log stops before the build ended: the report covers what it shows.');
  }

  if (buildFailed(report)) {
    out.push('');
    const failed = failingStep(report);
    const at = failed ? shorten(` at ${clean(stepTitle(failed))}`, width - 12, ellipsis) : '';
    out.push(paint('1;31', 'Build failed') + at);
    if (failed?.error) out.push(...wrap(failed.error, width, '  ', '  '));
    if (report.error && !sameError(report.error, failed?.error)) out.push(...wrap(report.error, width, '  ', '  '));
    if (report.errorExcerpt.length > 0) {
      out.push('');
      for (const line of report.errorExcerpt) out.push(fit('  ' + clean(line)));
    } else if (failed && failed.output.length > 0) {
      out.push('', '  Last output of the step:');
      for (const line of failed.output) out.push(fit('    ' + clean(line)));
    }
  }

  if (report.warnings.length > 0) {
    out.push('', paint('1;33', `Warnings (${report.warnings.length})`));
    for (const w of report.warnings) {
      const where = [w.stepId !== null ? `step #${w.stepId}` : '', w.line !== null ? `line ${w.line}` : ''].filter(Boolean).join(', ');
      out.push(...wrap(w.message + (where ? ` (${where})` : ''), width, '  - ', '    '));
    }
  }

  if (report.findings.length > 0) {
    const stake = report.atStakeMs !== null ? ` - ~${formatDuration(report.atStakeMs)} at stake` : '';
    out.push('', paint('1', `Findings (${report.findings.length})${stake}`));
    const sevColour: Record<string, string> = { error: '31', warning: '33', info: '36' };
    for (const f of report.findings) {
      const where = f.file !== null ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : f.line !== null ? `line ${f.line}` : '';
      const stake = costText(f.costMs);
      const cost = stake ? ` (${stake})` : '';
      const headLine = `${f.severity.padEnd(7)} ${f.rule}${where ? '  ' + where : ''}${cost}`;
      out.push('  ' + paint(sevColour[f.severity] ?? '', shorten(clean(headLine), width - 2, ellipsis)));
      out.push(...wrap(f.message, width, '    ', '    '));
      if (f.suggestion) out.push(...wrap(f.suggestion, width, '    suggestion: ', '                '));
      if (f.fix) out.push(...wrap(f.fix.description, width, '    fix: ', '         '));
    }
  }
  if ((report.suppressedFindings ?? 0) > 0) out.push('', `${report.suppressedFindings} finding${report.suppressedFindings === 1 ? '' : 's'} suppressed by pragmas.`);

  return out.join('\n') + '\n';
}
