import type { Analyzer, AnalyzerContext, Report } from '../../analyzers/types.js';
import { analyzers } from '../../analyzers/index.js';
import { applyFix, fillTemplate, runAnalyzers } from '../../src/core/analyze.js';
import { emptyBuild } from '../../src/core/model.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';

function fake(id: string, reports: Report[], over: Partial<Analyzer> = {}): Analyzer {
  return {
    id,
    description: id,
    defaultSeverity: 'warning',
    messages: { slow: 'Step on line {{line}} took {{seconds}} s.', hint: 'Add {{what}} to .dockerignore.', plain: 'Plain.' },
    needs: ['dockerfile'],
    analyze: () => reports,
    ...over,
  };
}

const text = 'FROM alpine\nRUN make\n';
const ctx: AnalyzerContext = {
  dockerfile: { path: 'app/Dockerfile', text, parsed: parseDockerfile(text) },
  context: { root: '/ctx', files: [], dockerignore: { path: 'app/.dockerignore', text: '' } },
};

describe('runAnalyzers', () => {
  it('fills messages and suggestions from the templates and points at the file', () => {
    const a = fake('slow-step', [
      { messageId: 'slow', data: { line: 2, seconds: 3.5 }, line: 2, suggestion: 'hint', costMs: 3500 },
      { messageId: 'plain', line: 1, file: 'dockerignore', suggestion: 'RUN --mount=type=cache,target=/root/.cache make' },
    ]);
    expect(runAnalyzers(ctx, [a], {})).toEqual([
      { rule: 'slow-step', severity: 'warning', message: 'Step on line 2 took 3.5 s.', file: 'app/Dockerfile', line: 2, suggestion: 'Add {{what}} to .dockerignore.', costMs: 3500 },
      { rule: 'slow-step', severity: 'warning', message: 'Plain.', file: 'app/.dockerignore', line: 1, suggestion: 'RUN --mount=type=cache,target=/root/.cache make' },
    ]);
  });

  it('applies rule settings: another severity, or off', () => {
    const a = fake('a', [{ messageId: 'plain', line: 1 }]);
    const b = fake('b', [{ messageId: 'plain', line: 1 }], { defaultSeverity: 'info' });
    expect(runAnalyzers(ctx, [a, b], { rules: { a: 'error' } }).map((f) => [f.rule, f.severity])).toEqual([['a', 'error'], ['b', 'info']]);
    expect(runAnalyzers(ctx, [a, b], { rules: { b: 'off' } }).map((f) => f.rule)).toEqual(['a']);
  });

  it('skips analyzers whose needs the context lacks', () => {
    const needsBuild = fake('needs-build', [{ messageId: 'plain', line: null }], { needs: ['dockerfile', 'build'] });
    expect(runAnalyzers(ctx, [needsBuild])).toEqual([]);
    expect(runAnalyzers({ ...ctx, build: emptyBuild('plain', 'buildkit') }, [needsBuild])).toHaveLength(1);
    const needsContext = fake('needs-context', [{ messageId: 'plain', line: null }], { needs: ['context'] });
    expect(runAnalyzers({ dockerfile: ctx.dockerfile }, [needsContext])).toEqual([]);
  });

  it('gives file null when the file it points at is not known', () => {
    const a = fake('a', [{ messageId: 'plain', line: null, file: 'dockerignore' }], { needs: [] });
    expect(runAnalyzers({}, [a])[0]?.file).toBeNull();
  });

  it('sorts by cost, then severity, then file and line', () => {
    const findings = runAnalyzers(ctx, [
      fake('info', [{ messageId: 'plain', line: 1 }], { defaultSeverity: 'info' }),
      fake('warn', [{ messageId: 'plain', line: 9 }, { messageId: 'plain', line: 3 }, { messageId: 'plain', line: 1, file: 'dockerignore' }]),
      fake('err', [{ messageId: 'plain', line: null }], { defaultSeverity: 'error' }),
      fake('costly', [{ messageId: 'plain', line: 5, costMs: 100 }, { messageId: 'plain', line: 4, costMs: 20_000 }], { defaultSeverity: 'info' }),
    ]);
    expect(findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['costly', 'app/Dockerfile', 4],
      ['costly', 'app/Dockerfile', 5],
      ['err', 'app/Dockerfile', null],
      ['warn', 'app/.dockerignore', 1],
      ['warn', 'app/Dockerfile', 3],
      ['warn', 'app/Dockerfile', 9],
      ['info', 'app/Dockerfile', 1],
    ]);
  });

  it('refuses a report with an unknown messageId', () => {
    expect(() => runAnalyzers(ctx, [fake('bad', [{ messageId: 'nope', line: 1 }])])).toThrow(/unknown messageId 'nope'/);
  });

  it('runs the real analyzers listed in analyzers/index.ts', () => {
    const df = 'FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n';
    const findings = runAnalyzers({ dockerfile: { path: 'Dockerfile', text: df, parsed: parseDockerfile(df) } }, analyzers);
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['apt-update-alone', 2], ['floating-base-image', 1], ['apt-no-recommends', 3], ['missing-cache-mount', 3]]);
    expect(new Set(analyzers.map((a) => a.id)).size).toBe(analyzers.length);
  });
});

describe('fillTemplate', () => {
  it('replaces placeholders and leaves unknown ones', () => {
    expect(fillTemplate('{{a}} and {{ b }} and {{c}}', { a: 1, b: 'two' })).toBe('1 and two and {{c}}');
  });
});

describe('applyFix', () => {
  const src = 'one\ntwo\nthree\nfour\n';
  const fix = (...edits: Array<[number, number, string]>) => ({ description: 't', edits: edits.map(([startLine, endLine, t]) => ({ startLine, endLine, text: t })) });

  it('replaces a range of lines', () => {
    expect(applyFix(src, fix([2, 3, 'TWO-THREE']))).toBe('one\nTWO-THREE\nfour\n');
  });

  it('deletes lines with empty text', () => {
    expect(applyFix(src, fix([2, 2, '']))).toBe('one\nthree\nfour\n');
  });

  it('inserts before a line, and at the end', () => {
    expect(applyFix(src, fix([1, 0, '# head']))).toBe('# head\none\ntwo\nthree\nfour\n');
    expect(applyFix(src, fix([5, 4, 'five\nsix']))).toBe('one\ntwo\nthree\nfour\nfive\nsix\n');
  });

  it('applies several edits against the original line numbers', () => {
    expect(applyFix(src, fix([1, 1, 'ONE\nONE-B'], [3, 3, ''], [4, 3, 'before four']))).toBe('ONE\nONE-B\ntwo\nbefore four\nfour\n');
  });

  it('applies an insertion just above a replacement of the same line', () => {
    expect(applyFix(src, fix([2, 2, 'TWO'], [2, 1, 'above two']))).toBe('one\nabove two\nTWO\nthree\nfour\n');
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    expect(applyFix('a\r\nb\r\nc\r\n', fix([2, 2, 'B']))).toBe('a\r\nB\r\nc\r\n');
    expect(applyFix('a\nb', fix([2, 2, 'B']))).toBe('a\nB');
  });

  it('refuses overlapping edits', () => {
    expect(() => applyFix(src, fix([1, 2, 'x'], [2, 3, 'y']))).toThrow(/Overlapping/);
    expect(() => applyFix(src, fix([2, 1, 'x'], [2, 1, 'y']))).toThrow(/Overlapping/);
    expect(() => applyFix(src, fix([1, 3, 'x'], [2, 1, 'y']))).toThrow(/Overlapping/);
  });

  it('refuses edits outside the file', () => {
    expect(() => applyFix(src, fix([5, 5, 'x']))).toThrow(/outside/);
    expect(() => applyFix(src, fix([0, 1, 'x']))).toThrow(/outside/);
  });
});
