// The unified diff: what `git apply` and `patch` read.
import { diffLines, unifiedDiff } from '../../src/core/diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('Dockerfile', 'a\n', 'a\n')).toBe('');
  });

  it('prints a moved line as a deletion and an insertion with three lines of context', () => {
    const before = 'FROM x\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n';
    const after = 'FROM x\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n';
    expect(unifiedDiff('Dockerfile', before, after)).toBe(
      '--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,5 +1,6 @@\n FROM x\n WORKDIR /app\n-COPY . .\n+COPY package.json ./\n RUN npm ci\n+COPY . .\n RUN npm run build\n',
    );
  });

  it('splits distant changes into hunks with correct ranges', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
    const b = [...a];
    b[1] = 'two';
    b.splice(17, 1);
    const d = unifiedDiff('f', a.join('\n') + '\n', b.join('\n') + '\n');
    expect(d.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,5 @@']);
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('f', 'a\nb', 'a\nc')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n');
  });

  it('handles insertions into and deletions from an empty text', () => {
    expect(unifiedDiff('f', '', 'a\n')).toBe('--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n');
    expect(unifiedDiff('f', 'a\n', '')).toBe('--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a\n');
  });

  it('finds a longest common subsequence', () => {
    const ops = diffLines(['a', 'b', 'c', 'd'], ['b', 'x', 'c', 'a']);
    expect(ops.filter((o) => o.kind === ' ').map((o) => o.line)).toEqual(['b', 'c']);
  });
});
