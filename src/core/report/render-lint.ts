// The `lint` report for a terminal (plain ASCII that lines up) and for markdown: each finding with
// its one-sentence message, its cost in a known build, and the lines it proposes.
import type { Finding, Severity } from '../model.js';
import { formatDuration } from '../units.js';
import { costText } from './format.js';
import { codeSpan, escapeMarkdown, fencedBlock, stripControl } from '../markdown.js';
import { GITHUB_COMMENT_LIMIT, droppedNotice, findingsCostMs, fitComment, type Droppable } from './markdown-comment.js';

/** The JSON `lint` report (docs/cli.md#buildlens-lint). */
export interface LintReport {
  schemaVersion: 1;
  tool: { name: 'buildlens'; version: string };
  dockerfile: string;
  /** The build context read for manifests and context rules, or null when there is none. */
  context: string | null;
  /** The buildlens JSON report costs were taken from (`--report`, or the newest of this Dockerfile in the history), or null. */
  build: string | null;
  findings: LintFinding[];
  /** How many fixes apply together to the Dockerfile (what --diff shows, --fix writes). */
  fixable: number;
  /** Per build, what the findings put at stake (each step counted once); null when none has a cost. */
  atStakeMs: number | null;
  /** Findings that `# buildlens-ignore` pragmas suppressed. */
  suppressedFindings: number;
}

export interface LintFinding {
  rule: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  suggestion: string | null;
  fix: Finding['fix'] | null;
  costMs: number | null;
}

const SGR: Record<string, string> = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m' };

/** The proposed lines of a finding: the fix's edits, else the suggestion's text. */
function proposal(f: LintFinding): string[] {
  const out: string[] = [];
  if (f.fix) {
    out.push(`fix: ${stripControl(f.fix.description)}`);
    for (const e of f.fix.edits) {
      const where = e.endLine < e.startLine ? `before line ${e.startLine}` : e.startLine === e.endLine ? `line ${e.startLine}` : `lines ${e.startLine}-${e.endLine}`;
      if (e.text === '') out.push(`  ${where}: remove`);
      else {
        out.push(`  ${where}${e.endLine < e.startLine ? ', add' : ', becomes'}:`);
        for (const l of e.text.split('\n')) out.push(`    + ${stripControl(l)}`);
      }
    }
  } else if (f.suggestion) {
    const [first = '', ...rest] = f.suggestion.split('\n');
    out.push(`suggestion: ${stripControl(first)}`);
    for (const l of rest) out.push(`    ${stripControl(l)}`);
  }
  return out;
}

export function renderLintTable(r: LintReport, opts: { color: boolean }): string {
  const out: string[] = [];
  if (r.findings.length === 0) {
    out.push(`${stripControl(r.dockerfile)}: no findings${r.suppressedFindings > 0 ? ` (${suppressedText(r.suppressedFindings)})` : ''}.`);
    return out.join('\n') + '\n';
  }
  for (const f of r.findings) {
    const sev = opts.color ? `${SGR[f.severity] ?? ''}${f.severity}\u001b[0m` : f.severity;
    const where = `${stripControl(f.file ?? '')}${f.line !== null ? `:${f.line}` : ''}`;
    const stake = costText(f.costMs);
    const cost = stake ? `  (${stake})` : '';
    out.push(`${sev.padEnd(opts.color ? 7 + 9 : 7)}  ${where}  ${f.rule}${cost}`);
    out.push(`  ${stripControl(f.message)}`);
    for (const l of proposal(f)) out.push(`  ${l}`);
    out.push('');
  }
  const n = r.findings.length;
  const counts = (['error', 'warning', 'info'] as const).map((s) => [s, r.findings.filter((f) => f.severity === s).length] as const).filter(([, c]) => c > 0);
  out.push(`${n} finding${n === 1 ? '' : 's'} (${counts.map(([s, c]) => `${c} ${s}`).join(', ')})${r.fixable > 0 ? `; ${r.fixable} fixable: --diff shows the rewritten Dockerfile, --fix writes it` : ''}.`);
  const extra = [atStakeText(r.atStakeMs), r.suppressedFindings > 0 ? suppressedText(r.suppressedFindings) : null].filter((x): x is string => x !== null);
  if (extra.length > 0) out.push(extra.map((e) => e[0]!.toUpperCase() + e.slice(1)).join('; ') + '.');
  return out.join('\n') + '\n';
}

/** `~42.0s at stake`, or null without a cost. */
export function atStakeText(ms: number | null): string | null {
  return ms === null ? null : `~${formatDuration(ms)} at stake`;
}

/** `2 findings suppressed by pragmas`. */
export function suppressedText(n: number): string {
  return `${n} finding${n === 1 ? '' : 's'} suppressed by pragmas`;
}

export interface LintMarkdownOptions {
  /** The unified diff of every safe fix applied together (what `--diff` prints), shown folded. */
  diff?: string;
  /** The size the text must stay under; default GitHub's comment limit. */
  limit?: number;
}

/** The lint verdict: `**buildlens lint** \`Dockerfile\`: 3 findings (1 error, 2 warning), 2 fixable, ~6.2s at stake`. */
function lintVerdict(r: LintReport): string {
  const head = `**buildlens lint** ${codeSpan(r.dockerfile, { inTable: false })}`;
  if (r.findings.length === 0) return `${head}: no findings`;
  const counts = (['error', 'warning', 'info'] as const).map((s) => [s, r.findings.filter((f) => f.severity === s).length] as const).filter(([, c]) => c > 0);
  const cost = r.atStakeMs ?? findingsCostMs({ findings: r.findings.map((f) => ({ ...f, fix: f.fix ?? null })) });
  return `${head}: ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} (${counts.map(([s, c]) => `${c} ${s}`).join(', ')})${r.fixable > 0 ? ` · ${r.fixable} fixable` : ''}${cost > 0 ? ` · ~${formatDuration(cost)} at stake` : ''}`;
}

function lintMarkdownWith(r: LintReport, options: LintMarkdownOptions, drop: ReadonlySet<Droppable>): string {
  const out: string[] = [lintVerdict(r), ''];
  if (r.findings.length === 0) {
    if (r.suppressedFindings > 0) out.push(`No findings (${suppressedText(r.suppressedFindings)}).`);
    return out.join('\n').trimEnd() + '\n';
  }
  const stake = atStakeText(r.atStakeMs);
  if (stake) out.push(`**${stake}** (the time of the steps these findings re-run or slow down, each step once).`, '');
  const shown = drop.has('low-findings') ? r.findings.filter((f) => f.severity !== 'info') : r.findings;
  for (const f of shown) {
    const where = `${f.file ?? ''}${f.line !== null ? `:${f.line}` : ''}`;
    const stake = costText(f.costMs);
    const cost = stake ? ` — ${stake}` : '';
    out.push(`- **${f.severity}** ${codeSpan(where, { inTable: false })} ${codeSpan(f.rule, { inTable: false })}${cost}: ${escapeMarkdown(f.message)}`);
    const lines = proposal(f);
    if (lines.length > 0) {
      out.push('', ...fencedBlock(lines.join('\n')).split('\n').map((l) => `  ${l}`), '');
    }
  }
  const left = r.findings.length - shown.length;
  if (left > 0) out.push(`- ${left} info finding${left === 1 ? '' : 's'} left out`);
  if (options.diff) {
    out.push('', '<details>', `<summary>The Dockerfile with ${r.fixable === 1 ? 'the fix' : `the ${r.fixable} fixes`} applied</summary>`, '', fencedBlock(options.diff, 'diff'), '', '</details>');
  }
  if (r.fixable > 0) out.push('', `${r.fixable} fixable: \`buildlens lint --diff\` shows the rewritten Dockerfile, \`--fix\` writes it.`);
  if (r.suppressedFindings > 0) out.push('', `${suppressedText(r.suppressedFindings)}.`);
  const notice = droppedNotice(drop);
  if (notice) out.push('', notice);
  return out.join('\n') + '\n';
}

export function renderLintMarkdown(r: LintReport, options: LintMarkdownOptions = {}): string {
  return fitComment((drop) => lintMarkdownWith(r, options, drop), options.limit ?? GITHUB_COMMENT_LIMIT).text;
}
