// Renderers of `buildlens why`: a plain table for terminals and CI logs, GitHub markdown, and JSON.
// Pure: the explanation in, a string out. Instructions and paths come from the Dockerfile and the
// context: the table strips control characters, the markdown escapes everything. No build-arg value
// is ever in the explanation (only names and salted hashes reach it), so none can be printed.
import { codeSpan, escapeMarkdown, stripControl } from '../markdown.js';
import { cutMarkdown, GITHUB_COMMENT_LIMIT } from './markdown-comment.js';
import { formatDuration } from './format.js';
import { causeText, rootCauseText, type WhyReport, type WhyStep } from '../why.js';

const STEP_MAX = 48;
const WRAP = 100;

function oneLine(text: string): string {
  return stripControl(text).replace(/\s*\n\s*/g, ' ');
}

function cut(text: string, max: number): string {
  const c = Array.from(text);
  return c.length <= max ? text : c.slice(0, max - 3).join('').trimEnd() + '...';
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(indent + line);
  return out;
}

function time(ms: number | null): string {
  return ms === null ? '?' : formatDuration(ms);
}

/** The distinct root causes, most expensive first: what the verdict names. */
function roots(why: WhyReport, code: (s: string) => string): string[] {
  const seen = new Map<string, number>();
  for (const s of why.explained) {
    const text = rootCauseText(s.cause, code);
    seen.set(text, (seen.get(text) ?? 0) + (s.durationMs ?? 0));
  }
  return [...seen.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
}

function headline(why: WhyReport): string {
  if (why.executed === 0) return `nothing to explain: every one of the ${why.steps} steps came from the cache`;
  return `${why.executed} of ${why.steps} steps ran`;
}

function sides(why: WhyReport): string {
  const name = (label: string, at: string | null) => `${label}${at ? ` (started ${at})` : ''}`;
  return `BEFORE ${name(why.before.label, why.before.startedAt)}; AFTER ${name(why.after.label, why.after.startedAt)}`;
}

export function renderWhyTable(why: WhyReport): string {
  const out = [`buildlens why: ${headline(why)}`, ...wrap(oneLine(sides(why)), WRAP, ''), ''];
  if (why.explained.length > 0) {
    const rows = why.explained.map((s) => ({
      line: s.line === null ? '-' : String(s.line),
      stage: cut(oneLine(s.stage ?? ''), 12),
      step: cut(oneLine(s.instruction), STEP_MAX),
      time: time(s.durationMs),
      kind: s.cause.kind,
      detail: oneLine(causeText(s.cause)),
    }));
    const w = (k: 'line' | 'stage' | 'step' | 'time' | 'kind', title: string) => Math.max(title.length, ...rows.map((r) => r[k].length));
    const wl = w('line', 'Line');
    const ws = w('stage', 'Stage');
    const wp = w('step', 'Step');
    const wt = w('time', 'Time');
    out.push(`${'Line'.padStart(wl)}  ${'Stage'.padEnd(ws)}  ${'Step'.padEnd(wp)}  ${'Time'.padStart(wt)}  Cause`);
    for (const r of rows) {
      out.push(`${r.line.padStart(wl)}  ${r.stage.padEnd(ws)}  ${r.step.padEnd(wp)}  ${r.time.padStart(wt)}  ${r.kind}`);
      out.push(...wrap(r.detail, WRAP - 6, ' '.repeat(wl + 2 + 2)));
    }
    out.push('');
    const r = roots(why, (s) => `\`${oneLine(s)}\``);
    if (r.length > 0) {
      out.push('Root causes');
      for (const t of r) out.push(...wrap(t, WRAP - 4, '  '));
      out.push('');
    }
  }
  for (const n of why.notes) out.push(...wrap(`Note: ${n}`, WRAP, ''));
  return out.join('\n').replace(/\n*$/, '\n');
}

function markdownRow(s: WhyStep): string {
  const code = (t: string) => codeSpan(t);
  return `| ${s.line ?? ''} | ${escapeMarkdown(s.stage ?? '')} | ${codeSpan(cut(oneLine(s.instruction), 80))} | ${time(s.durationMs)} | **${s.cause.kind}**: ${causeText(s.cause, code)} |`;
}

export function renderWhyMarkdown(why: WhyReport, limit = GITHUB_COMMENT_LIMIT): string {
  const code = (t: string) => codeSpan(t, { inTable: false });
  const r = roots(why, code);
  const verdict = why.executed === 0
    ? `**buildlens why**: ${headline(why)}.`
    : `**buildlens why**: ${headline(why)}; ${r.length === 1 ? 'root cause' : 'root causes'}: ${r.slice(0, 3).join('; ')}${r.length > 3 ? `; and ${r.length - 3} more` : ''}.`;
  const out = [verdict, '', escapeMarkdown(sides(why))];
  if (why.explained.length > 0) {
    out.push('', '| Line | Stage | Step | Time | Why it ran |', '| ---: | --- | --- | ---: | --- |');
    for (const s of why.explained) out.push(markdownRow(s));
  }
  if (why.notes.length > 0) out.push('', ...why.notes.map((n) => `_${escapeMarkdown(n)}_`));
  const text = out.join('\n') + '\n';
  if (text.length < limit) return text;
  return cutMarkdown(text, limit, `_Cut here to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character limit. \`buildlens why --format json\` has every step._`);
}

export function renderWhyJson(why: WhyReport): string {
  return JSON.stringify(why, null, 2) + '\n';
}
