// Apply several findings' fixes to one file so that they agree. Fixes are computed against the text
// they were found in, so two fixes of the same lines cannot simply both be applied: the merge of
// `apt-update-alone` and the clean-up of `package-cache-left` both rewrite the install RUN. So fixes
// are applied one at a time, in a fixed precedence, and after each the file is analysed again: a fix
// that an earlier one made moot disappears, one whose lines moved comes back with new lines, and one
// that now reads the merged RUN (the clean-up) is computed on it. The result is a fixpoint.
import type { Finding } from './model.js';
import { applyFix } from './analyze.js';

export interface ComposeOptions {
  /**
   * Analyse a text again: parse it and run the same analyzers with the same settings (typically
   * `(t) => runAnalyzers({ ...ctx, dockerfile: { path, text: t, parsed: parseDockerfile(t) } }, analyzers, options)`).
   */
  reanalyze: (text: string) => Finding[];
  /** Only findings pointing at this file are fixed (a finding may point at the .dockerignore). */
  file?: string | null;
  /** Rounds of apply-and-reanalyse before giving up; default 20. */
  maxRounds?: number;
}

export interface ComposeResult {
  /** The text with every fix that could be applied. */
  text: string;
  /** The fixes applied, in the order they were applied (each as found in the text it was applied to). */
  applied: Finding[];
  /** Findings of the final text that still carry a fix that could not be applied, with the reason. */
  skipped: Array<{ finding: Finding; reason: string }>;
  /** The findings of the final text (with and without fixes): what is left to do by hand. */
  remaining: Finding[];
}

/**
 * Which fix goes first when several are pending. Fixes that add a cache mount come first, as they
 * decide whether any clean-up is wanted; then fixes that restructure instructions (merging RUNs,
 * moving ARGs and COPYs); line-local additions (flags, clean-up appended to a RUN) come last, so they
 * land on the RUN's final shape. Unknown rules sit between the restructuring and the local ones.
 */
export const FIX_PRECEDENCE = ['apt-update-alone', 'changing-arg-early', 'copy-before-install', '*', 'package-cache-left'];

function rank(f: Finding): number {
  if (f.fix?.edits.some((e) => /--mount=type=cache\b/.test(e.text))) return -1;
  const i = FIX_PRECEDENCE.indexOf(f.rule);
  return i >= 0 ? i : FIX_PRECEDENCE.indexOf('*');
}

function byPrecedence(a: Finding, b: Finding): number {
  return rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0);
}

/**
 * Apply every fix of `findings` that can be applied to `text` (the file the findings point at),
 * one at a time in FIX_PRECEDENCE order, re-analysing the text after each (`options.reanalyze`),
 * until no fix is left, each is refused, or `maxRounds` is reached. Pure: the caller supplies the
 * analysis. `findings` must be the findings of `text` (they are the first round).
 */
export function composeFixes(text: string, findings: Finding[], options: ComposeOptions): ComposeResult {
  const maxRounds = options.maxRounds ?? 20;
  const mine = (fs: Finding[]) => (options.file === undefined ? fs : fs.filter((f) => f.file === options.file));
  const applied: Finding[] = [];
  const seen = new Set([text]);
  // Reasons a fix was refused, by its identity in the current text.
  let refused = new Map<string, string>();
  let current = text;
  let pending = findings;
  let rounds = 0;
  for (;;) {
    const candidates = mine(pending).filter((f) => f.fix && !refused.has(key(f))).sort(byPrecedence);
    if (candidates.length === 0) break;
    if (rounds >= maxRounds) {
      for (const f of candidates) refused.set(key(f), `not applied: still pending after ${maxRounds} rounds of fixes`);
      break;
    }
    let next: string | undefined;
    let chosen: Finding | undefined;
    for (const f of candidates) {
      try {
        const t = applyFix(current, f.fix!);
        if (t === current) refused.set(key(f), 'not applied: its fix changes nothing');
        else if (seen.has(t)) refused.set(key(f), 'not applied: it would undo an earlier fix');
        else {
          next = t;
          chosen = f;
          break;
        }
      } catch (e) {
        refused.set(key(f), `not applied: ${(e as Error).message}`);
      }
    }
    if (next === undefined || chosen === undefined) break;
    applied.push(chosen);
    seen.add(next);
    current = next;
    pending = options.reanalyze(current);
    // Refusals were about the old text; the new one gets a fresh chance, except for cycles.
    refused = new Map();
    rounds++;
  }
  const remaining = mine(pending);
  const skipped = remaining
    .filter((f) => f.fix)
    .map((finding) => ({ finding, reason: refused.get(key(finding)) ?? 'not applied' }));
  return { text: current, applied, skipped, remaining };
}

function key(f: Finding): string {
  return JSON.stringify([f.rule, f.line, f.message, f.fix?.edits]);
}
