// Suppression comments in a Dockerfile. `# buildlens-ignore <rule>[,<rule>…] [reason]` on the comment
// lines right above an instruction silences those rules' findings at that instruction (all of its
// lines, continuation and heredoc lines included); `# buildlens-ignore-file <rule>[,…] [reason]` in
// the comments at the top of the file (before the first instruction) silences them in the whole
// file, the .dockerignore findings of the same build included. Pure: text in, pragmas out.
import type { Dockerfile } from './dockerfile.js';
import type { Finding } from './model.js';

export interface Pragma {
  /** `line`: one instruction; `file`: the whole file. */
  scope: 'line' | 'file';
  rules: string[];
  reason: string | null;
  /** The comment's own line (1-based). */
  line: number;
  /** For `line` pragmas: the lines of the instruction it applies to; null when no instruction follows it. */
  target: { line: number; endLine: number } | null;
}

/** A pragma that cannot do what it says: an unknown rule, no instruction under it, a file form below the top. */
export interface PragmaProblem {
  line: number;
  message: string;
}

const PRAGMA = /^\s*#\s*buildlens-ignore(-file)?(?:\s+(.*))?$/;

/** The pragmas of a Dockerfile, found among the comment lines that lie outside instructions. */
export function parsePragmas(text: string, df: Dockerfile): Pragma[] {
  const lines = text.split(/\r\n|\r|\n/);
  const inside = new Set<number>();
  for (const ins of df.instructions) for (let l = ins.line; l <= ins.endLine; l++) inside.add(l);
  const starts = df.instructions.map((i) => ({ line: i.line, endLine: i.endLine }));
  const firstInstruction = starts[0]?.line ?? Infinity;
  const out: Pragma[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (inside.has(line)) return;
    const m = PRAGMA.exec(raw);
    if (!m) return;
    const [first = '', ...rest] = (m[2] ?? '').trim().split(/\s+/);
    const rules = first.split(',').map((r) => r.trim()).filter(Boolean);
    const reason = rest.join(' ').trim() || null;
    if (m[1]) {
      out.push({ scope: 'file', rules, reason, line, target: line < firstInstruction ? { line: 1, endLine: lines.length } : null });
      return;
    }
    // The instruction under this comment: the next line that is not a comment, with no blank line between.
    let k = line + 1;
    while (k <= lines.length && /^\s*#/.test(lines[k - 1] ?? '') && !inside.has(k)) k++;
    const target = starts.find((s) => s.line === k) ?? null;
    out.push({ scope: 'line', rules, reason, line, target });
  });
  return out;
}

/** What is wrong with the pragmas, given the rule ids that exist. */
export function pragmaProblems(pragmas: readonly Pragma[], known: ReadonlySet<string>): PragmaProblem[] {
  const out: PragmaProblem[] = [];
  for (const p of pragmas) {
    const form = p.scope === 'file' ? 'buildlens-ignore-file' : 'buildlens-ignore';
    if (p.rules.length === 0) {
      out.push({ line: p.line, message: `\`# ${form}\` names no rule: write \`# ${form} <rule> [reason]\`.` });
      continue;
    }
    for (const r of p.rules) {
      if (!known.has(r)) out.push({ line: p.line, message: `\`# ${form} ${r}\`: there is no rule "${r}", so it suppresses nothing.` });
    }
    if (p.target === null) {
      out.push({
        line: p.line,
        message: p.scope === 'file'
          ? `\`# ${form}\` only works in the comments at the top of the file, before the first instruction.`
          : `\`# ${form}\` is not right above an instruction (no blank line between), so it suppresses nothing.`,
      });
    }
  }
  return out;
}

/**
 * Split findings into those kept and those a pragma suppresses. A line pragma matches a finding of
 * one of its rules in the Dockerfile (`dockerfilePath`) whose line lies within the instruction under it.
 */
export function applyPragmas<F extends Pick<Finding, 'rule' | 'file' | 'line'>>(findings: readonly F[], pragmas: readonly Pragma[], dockerfilePath: string | null): { kept: F[]; suppressed: F[] } {
  const kept: F[] = [];
  const suppressed: F[] = [];
  for (const f of findings) {
    const hit = pragmas.some((p) => {
      if (p.target === null || !p.rules.includes(f.rule)) return false;
      if (p.scope === 'file') return true;
      return f.file === dockerfilePath && f.line !== null && f.line >= p.target.line && f.line <= p.target.endLine;
    });
    (hit ? suppressed : kept).push(f);
  }
  return { kept, suppressed };
}
