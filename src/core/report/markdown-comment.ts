// What every markdown report meant for a pull request shares: the one-line verdict, the signed
// "vs baseline" figures, and the cut that keeps a comment under GitHub's size limit. Pure.
//
// How a renderer uses it (render-markdown.ts does; `compare`'s renderer should too):
//
//   import { fitComment, verdictLine, droppedNotice } from './markdown-comment.js';
//   const text = fitComment((drop) => {
//     const out = [verdictLine(after, { baseline: before, baselineLabel: 'main' }), ''];
//     if (!drop.has('cached-steps')) out.push(...rowsOfCachedSteps);
//     if (!drop.has('log-excerpts')) out.push(...excerptsInDetails);
//     if (!drop.has('low-findings')) out.push(...infoFindings);
//     const notice = droppedNotice(drop);          // '' when nothing was dropped (always names GitHub's limit)
//     return out.join('\n') + (notice ? '\n\n' + notice : '') + '\n';
//   }).text;
//
// - `render(drop)` must be pure and cheap: fitComment calls it with the drop set growing in the fixed
//   order DROP_ORDER (log excerpts, then cached steps, then low (info) findings) until the text fits.
//   Ignore kinds that do not apply. If even the smallest text is too long, fitComment cuts it at a
//   paragraph boundary outside code fences and says so.
// - All text taken from a build (step names, output, messages, paths, labels such as a branch name)
//   goes through src/core/markdown.ts: escapeMarkdown for prose and table cells, codeSpan for
//   inline code, fencedBlock for blocks. verdictLine does that for what it prints.
// - Secret values are masked before a report reaches a renderer (src/core/redact.ts, in `build`);
//   a renderer never sees them.
import type { Report } from './report.js';
import { buildFailed, failingStep } from './report.js';
import { codeSpan, escapeMarkdown } from '../markdown.js';
import { formatDuration, formatSize } from './format.js';
import { firstLine } from './common.js';

/** GitHub refuses an issue or pull-request comment (and a job summary) longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** The hidden marker by which the action finds its own comment to edit it in place. */
export const COMMENT_MARKER = '<!-- buildlens -->';

/** What may be left out of a comment that is too long, in the order it is left out. */
export const DROP_ORDER = ['log-excerpts', 'cached-steps', 'low-findings'] as const;
export type Droppable = (typeof DROP_ORDER)[number];

const DROP_WORDS: Record<Droppable, string> = {
  'log-excerpts': 'log excerpts',
  'cached-steps': 'cached steps',
  'low-findings': 'info findings',
};

export interface FitResult {
  text: string;
  /** What was left out, in DROP_ORDER. */
  dropped: Droppable[];
  /** True when even with everything dropped the text had to be cut. */
  cut: boolean;
}

/**
 * The sentence that says what was left out to fit (an italic line), or '' when nothing was. Every
 * renderer that drops something must print it; `more` names what else it left out (`the last 40 steps`).
 */
export function droppedNotice(drop: ReadonlySet<Droppable>, more: readonly string[] = []): string {
  const what = [...DROP_ORDER.filter((d) => drop.has(d)).map((d) => DROP_WORDS[d]), ...more];
  if (what.length === 0) return '';
  return `_Left out to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character limit: ${what.join(', ')}. The JSON report (\`--format json\`, \`--report FILE\`) has everything._`;
}

const CUT_NOTICE = () => `_Cut here to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character limit. The JSON report (\`--format json\`, \`--report FILE\`) has everything._`;

/**
 * Render with nothing dropped; while the text is `limit` characters or longer (UTF-16 code units,
 * never fewer than GitHub counts), render again leaving out one more kind of detail in DROP_ORDER;
 * as a last resort cut the text (see cutMarkdown).
 */
export function fitComment(render: (drop: ReadonlySet<Droppable>) => string, limit = GITHUB_COMMENT_LIMIT): FitResult {
  const drop = new Set<Droppable>();
  let text = render(drop);
  for (const kind of DROP_ORDER) {
    if (text.length < limit) return { text, dropped: [...drop], cut: false };
    drop.add(kind);
    text = render(new Set(drop));
  }
  if (text.length < limit) return { text, dropped: [...drop], cut: false };
  return { text: cutMarkdown(text, limit, CUT_NOTICE()), dropped: [...drop], cut: true };
}

/**
 * `text` cut to fewer than `limit` characters with `notice` after it: at the last blank line that is
 * outside a code fence and outside a `<details>` block (so nothing is left open), else at the last
 * line break outside a fence.
 */
export function cutMarkdown(text: string, limit: number, notice: string): string {
  const room = limit - notice.length - 3;
  const lines = text.split('\n');
  let fence: string | null = null;
  let details = 0;
  let pos = 0;
  let bestParagraph = -1;
  let bestLine = -1;
  for (const line of lines) {
    const end = pos + line.length;
    if (end > room) break;
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === null && m) fence = m[1]!;
    else if (fence !== null && m && m[1]!.startsWith(fence) && m[1]![0] === fence[0] && line.trim() === m[1]) fence = null;
    else if (fence === null) {
      if (/^<details>/.test(line)) details++;
      if (/^<\/details>/.test(line)) details = Math.max(0, details - 1);
    }
    if (fence === null) {
      bestLine = end;
      if (line.trim() === '' && details === 0) bestParagraph = end;
    }
    pos = end + 1;
  }
  const at = bestParagraph > 0 ? bestParagraph : bestLine > 0 ? bestLine : 0;
  return `${text.slice(0, at).replace(/\s+$/, '')}\n\n${notice}\n`;
}

/** `+41.0s` / `−41.0s` (a true minus sign), `±0.0s` for no change. */
export function signedDuration(deltaMs: number): string {
  if (Math.abs(deltaMs) < 50) return '±0.0s';
  return (deltaMs > 0 ? '+' : '\u2212') + formatDuration(Math.abs(deltaMs));
}

/** `+12%` / `−8%` of `before`, or '' when there is no meaningful base. */
export function signedPercent(after: number, before: number): string {
  if (before <= 0) return '';
  const p = Math.round(((after - before) / before) * 100);
  return p === 0 ? '±0%' : `${p > 0 ? '+' : '\u2212'}${Math.abs(p)}%`;
}

export interface VerdictOptions {
  /** A report of the same build on the base branch (or any earlier build) to compare with. */
  baseline?: Report | null;
  /** What the baseline is called in the verdict: `main`, `base`. Escaped here. Default `baseline`. */
  baselineLabel?: string;
}

/** The wall time when known, else the summed step time (and which one it is). */
function buildTime(r: Report): { ms: number; wall: boolean } | null {
  if (r.totals.durationMs !== null) return { ms: r.totals.durationMs, wall: true };
  if (r.totals.timedSteps > 0) return { ms: r.totals.stepsDurationMs, wall: false };
  return null;
}

/**
 * What the findings put at stake per build: the report's `atStakeMs` (each step counted once, see
 * src/core/cost.ts) when it has one, else the sum of the findings' costMs.
 */
export function findingsCostMs(r: Pick<Report, 'findings'> & { atStakeMs?: number | null }): number {
  if (r.atStakeMs !== undefined && r.atStakeMs !== null) return r.atStakeMs;
  let sum = 0;
  for (const f of r.findings) if (f.costMs !== null && f.costMs > 0) sum += f.costMs;
  return sum;
}

/**
 * The first line of a pull-request comment: `**Build 3m12s** (−41.0s vs main) · 12/18 steps cached
 * · context 4.10MB · 2 findings (~1m05s at stake)`. With a baseline, the time delta (the
 * wall times when both have one, else the summed step times).
 */
export function verdictLine(report: Report, options: VerdictOptions = {}): string {
  const t = report.totals;
  const base = options.baseline ?? null;
  const label = escapeMarkdown(options.baselineLabel ?? 'baseline');
  const parts: string[] = [];
  const time = buildTime(report);
  const baseTime = base ? buildTime(base) : null;
  const delta = time && baseTime && time.wall === baseTime.wall ? ` (${signedDuration(time.ms - baseTime.ms)} vs ${label})` : '';
  if (buildFailed(report)) {
    const failed = failingStep(report);
    parts.push('**Build failed**' + (failed ? ` at ${codeSpan(cutText(firstLine(failed.name), 100), { inTable: false })}` : ''));
  } else if (report.incomplete) {
    parts.push('**Build incomplete** (the log stops before the build ended)');
  } else if (t.durationMs !== null) {
    parts.push(`**Build ${formatDuration(t.durationMs)}**${delta}`);
  } else {
    parts.push('**Build succeeded**');
  }
  if (t.durationMs === null && !buildFailed(report) && t.timedSteps > 0) parts.push(`${formatDuration(t.stepsDurationMs)} of step time${delta}`);
  if (t.steps > 0) {
    let cached = `${t.cached}/${t.steps} steps cached`;
    if (base && base.totals.steps > 0) cached += ` (${base.totals.cached}/${base.totals.steps} on ${label})`;
    parts.push(cached);
  }
  if (report.context !== null) {
    let ctx = `context ${formatSize(report.context.transferredBytes)}`;
    if (base?.context) {
      const d = report.context.transferredBytes - base.context.transferredBytes;
      if (d !== 0) ctx += ` (${d > 0 ? '+' : '\u2212'}${formatSize(Math.abs(d))})`;
    }
    parts.push(ctx);
  }
  const breached = report.budgets?.breaches.length ?? 0;
  if (breached > 0) parts.push(`**${breached} budget${breached === 1 ? '' : 's'} breached**`);
  if (report.findings.length > 0) {
    const cost = findingsCostMs(report);
    parts.push(`${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}${cost > 0 ? ` (~${formatDuration(cost)} at stake)` : ''}`);
  }
  return parts.join(' · ');
}

/** Cut to `max` characters (code points) with an ellipsis. */
export function cutText(text: string, max: number): string {
  const c = Array.from(text);
  return c.length <= max ? text : c.slice(0, max - 1).join('') + '…';
}
