// What "inert" means for markdown built from untrusted text, as GitHub renders it: shared by the
// markdown tests (unit, on logs) and the GitHub Actions integration test (on real builds).

/** The markdown with fenced blocks and code spans taken out: what GitHub renders as markdown. */
export function outsideCode(md: string): string {
  const lines = md.split('\n');
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === null && m) { fence = m[1]!; continue; }
    if (fence !== null) {
      if (m && line.trim() === m[1] && m[1]!.length >= fence.length && m[1]![0] === fence[0]) fence = null;
      continue;
    }
    kept.push(line);
  }
  expect(fence).toBeNull();
  // Code spans: a run of N backticks up to the next run of exactly N (not escaped).
  return kept.join('\n').replace(/(?<!\\)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '');
}

export function assertInert(md: string): void {
  const text = outsideCode(md);
  // No HTML but the tags the renderer writes itself.
  const tags = text.match(/<\/?[a-z!][^>]*>/gi) ?? [];
  expect(tags.filter((t) => !/^<\/?(details|summary|sub)>$/.test(t))).toEqual([]);
  expect(text).not.toContain('<!--');
  // No link or image syntax, no autolinks, no mentions, no issue references.
  expect(text).not.toMatch(/(?<!\\)\]\(/);
  expect(text).not.toMatch(/(https?|ftp):\/\//i);
  expect(text).not.toMatch(/\bwww\./i);
  expect(text).not.toMatch(/@[A-Za-z0-9]/);
  expect(text).not.toMatch(/#\d/);
  expect(text).not.toMatch(/\bGH-\d/i);
  // No backtick left that could open a span (every one outside spans is escaped).
  for (const m of text.matchAll(/`/g)) expect(text[m.index! - 1]).toBe('\\');
  // Tables keep their cell count.
  const rows = md.split('\n').filter((l) => l.startsWith('| '));
  const cells = (row: string) => row.split(/(?<!\\)\|/).length;
  for (const row of rows) expect(cells(row)).toBe(cells(rows[0]!));
  // <details> opened and closed in pairs.
  expect((md.match(/^\s*<details>$/gm) ?? []).length).toBe((md.match(/^\s*<\/details>$/gm) ?? []).length);
}

