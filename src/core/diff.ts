// A unified diff of two texts, line by line (what `diff -u` and `git apply` read). The line
// alignment is a longest common subsequence; Dockerfiles are small, so the O(n·m) table is cheap,
// and past a size bound the whole changed middle is shown as one hunk (still a correct patch).

export interface DiffOptions {
  /** Lines of context around each change; default 3. */
  context?: number;
}

type Op = { kind: ' ' | '-' | '+'; line: string };

const MAX_CELLS = 4_000_000;

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = /\r?\n$/.test(text);
  const body = finalNewline ? text.replace(/\r?\n$/, '') : text;
  return { lines: body.split(/\r?\n/), finalNewline };
}

/** The edit script from `a` to `b` (common prefix and suffix first, then an LCS of the middle). */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: ' ', line }));
  const n = am.length;
  const m = bm.length;
  if (n * m > MAX_CELLS) {
    ops.push(...am.map((line) => ({ kind: '-' as const, line })), ...bm.map((line) => ({ kind: '+' as const, line })));
  } else {
    // lcs[i][j]: the LCS length of am[i..] and bm[j..].
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = am[i] === bm[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i]! });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
        // Deletions before insertions at the same place, as diff -u prints them.
        ops.push({ kind: '-', line: am[i]! });
        i++;
      } else {
        ops.push({ kind: '+', line: bm[j]! });
        j++;
      }
    }
  }
  ops.push(...a.slice(a.length - suf).map((line) => ({ kind: ' ' as const, line })));
  return ops;
}

/**
 * A unified diff of `before` and `after` with `---`/`+++` headers naming `path` (`a/path`, `b/path`,
 * as git writes them); '' when the texts are equal.
 */
export function unifiedDiff(path: string, before: string, after: string, options: DiffOptions = {}): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const A = splitLines(before);
  const B = splitLines(after);
  const ops = diffLines(A.lines, B.lines);
  // A missing final newline is a change of the last line: mark it as diff does.
  const lastA = A.lines.length - 1;
  const lastB = B.lines.length - 1;

  const out = [`--- a/${path}`, `+++ b/${path}`];
  // Positions of the changes; hunks gather changes closer than 2·context lines.
  const changes = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  let k = 0;
  while (k < changes.length) {
    let start = Math.max(0, changes[k]! - context);
    let end = changes[k]!;
    while (k < changes.length && changes[k]! - end <= 2 * context) end = changes[k++]!;
    end = Math.min(ops.length - 1, end + context);
    // Line numbers at `start`.
    let ai = 0;
    let bi = 0;
    for (let x = 0; x < start; x++) {
      if (ops[x]!.kind !== '+') ai++;
      if (ops[x]!.kind !== '-') bi++;
    }
    const body: string[] = [];
    let aCount = 0;
    let bCount = 0;
    for (let x = start; x <= end; x++) {
      const o = ops[x]!;
      body.push(o.kind + o.line);
      const aLine = ai + aCount;
      const bLine = bi + bCount;
      if (o.kind !== '+') aCount++;
      if (o.kind !== '-') bCount++;
      const noNewlineA = o.kind !== '+' && aLine === lastA && !A.finalNewline;
      const noNewlineB = o.kind !== '-' && bLine === lastB && !B.finalNewline;
      if (noNewlineA || noNewlineB) body.push('\\ No newline at end of file');
    }
    const range = (s: number, c: number) => (c === 0 ? `${s},0` : c === 1 ? `${s + 1}` : `${s + 1},${c}`);
    out.push(`@@ -${range(ai, aCount)} +${range(bi, bCount)} @@`, ...body);
    start = end + 1;
  }
  return out.join('\n') + '\n';
}
