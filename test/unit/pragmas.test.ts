import { parseDockerfile } from '../../src/core/dockerfile.js';
import { applyPragmas, parsePragmas, pragmaProblems } from '../../src/core/pragmas.js';
import { runAnalyzersDetailed } from '../../src/core/analyze.js';
import { analyzers } from '../../analyzers/index.js';

function pragmasOf(text: string) {
  return parsePragmas(text, parseDockerfile(text));
}

describe('pragmas', () => {
  it('a line pragma covers the instruction right under it, all its lines, with comments between', () => {
    const text = 'FROM debian:12\n# buildlens-ignore apt-no-recommends,package-cache-left we need the docs\n# another comment\nRUN apt-get update && \\\n    apt-get install -y curl\nRUN true\n';
    const [p] = pragmasOf(text);
    expect(p).toEqual({ scope: 'line', rules: ['apt-no-recommends', 'package-cache-left'], reason: 'we need the docs', line: 2, target: { line: 4, endLine: 5 } });
  });

  it('a blank line between the pragma and the instruction detaches it', () => {
    const text = 'FROM debian:12\n# buildlens-ignore apt-no-recommends\n\nRUN apt-get install -y curl\n';
    const pragmas = pragmasOf(text);
    expect(pragmas[0]?.target).toBeNull();
    expect(pragmaProblems(pragmas, new Set(['apt-no-recommends']))).toEqual([{ line: 2, message: expect.stringContaining('not right above an instruction') }]);
  });

  it('a comment inside a continuation is part of the instruction, not a pragma', () => {
    const text = 'FROM debian:12\nRUN apt-get update && \\\n  # buildlens-ignore apt-no-recommends\n  apt-get install -y curl\n';
    expect(pragmasOf(text)).toEqual([]);
  });

  it('the file form works at the top only, and unknown rules are named', () => {
    const text = '# syntax=docker/dockerfile:1\n# buildlens-ignore-file copy-before-install,no-such-rule legacy layout\nFROM node:22\n# buildlens-ignore-file apt-no-recommends\nRUN npm ci\n';
    const pragmas = pragmasOf(text);
    expect(pragmas.map((p) => [p.scope, p.rules, p.target !== null])).toEqual([
      ['file', ['copy-before-install', 'no-such-rule'], true],
      ['file', ['apt-no-recommends'], false],
    ]);
    const problems = pragmaProblems(pragmas, new Set(['copy-before-install', 'apt-no-recommends']));
    expect(problems.map((p) => p.line)).toEqual([2, 4]);
    expect(problems[0]!.message).toMatch(/there is no rule "no-such-rule"/);
    expect(problems[1]!.message).toMatch(/only works in the comments at the top/);
  });

  it('suppresses matching findings only: same rule, inside the instruction; the file form everywhere', () => {
    const text = '# buildlens-ignore-file context-junk\nFROM debian:12\n# buildlens-ignore apt-no-recommends\nRUN apt-get install -y \\\n  curl\nRUN apt-get install -y git\n';
    const pragmas = pragmasOf(text);
    const f = (rule: string, file: string, line: number) => ({ rule, file, line });
    const { kept, suppressed } = applyPragmas([f('apt-no-recommends', 'Dockerfile', 4), f('apt-no-recommends', 'Dockerfile', 5), f('apt-no-recommends', 'Dockerfile', 6), f('package-cache-left', 'Dockerfile', 4), f('context-junk', '.dockerignore', 1)], pragmas, 'Dockerfile');
    expect(suppressed.map((x) => [x.rule, x.line])).toEqual([['apt-no-recommends', 4], ['apt-no-recommends', 5], ['context-junk', 1]]);
    expect(kept.map((x) => [x.rule, x.line])).toEqual([['apt-no-recommends', 6], ['package-cache-left', 4]]);
  });

  it('the runner counts what pragmas suppress and reports unknown rules', () => {
    const text = 'FROM debian:12\n# buildlens-ignore apt-no-recommends\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n# buildlens-ignore apt-no-recomends typo\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n';
    const r = runAnalyzersDetailed({ dockerfile: { path: 'Dockerfile', text, parsed: parseDockerfile(text) } }, analyzers);
    expect(r.findings.filter((f) => f.rule === 'apt-no-recommends').map((f) => f.line)).toEqual([5]);
    expect(r.suppressed).toBe(1);
    expect(r.pragmaProblems).toEqual([{ line: 4, message: expect.stringContaining('there is no rule "apt-no-recomends"') }]);
  });
});
