import type { Analyzer, AnalyzerContext } from '../../analyzers/types.js';
import type { Finding } from '../../src/core/model.js';
import { analyzers } from '../../analyzers/index.js';
import { composeFixes } from '../../src/core/compose-fixes.js';
import { runAnalyzers } from '../../src/core/analyze.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';

function analyse(list: Analyzer[]) {
  return (text: string): Finding[] => {
    const ctx: AnalyzerContext = { dockerfile: { path: 'Dockerfile', text, parsed: parseDockerfile(text) } };
    return runAnalyzers(ctx, list);
  };
}

function compose(text: string, list: Analyzer[] = analyzers, maxRounds?: number) {
  const reanalyze = analyse(list);
  return composeFixes(text, reanalyze(text), maxRounds === undefined ? { reanalyze, file: 'Dockerfile' } : { reanalyze, file: 'Dockerfile', maxRounds });
}

/** Proposes apt cache mounts on every apt RUN without a mount, as a cache-mount rule would. */
const aptCacheMount: Analyzer = {
  id: 'test-apt-cache-mount',
  description: 'test',
  defaultSeverity: 'info',
  messages: { m: 'mount' },
  needs: ['dockerfile'],
  analyze(ctx) {
    const df = ctx.dockerfile!;
    const lines = df.text.split('\n');
    return df.parsed.instructions
      .filter((i) => i.keyword === 'RUN' && i.args.includes('apt-get install') && !i.flags['mount'])
      .map((i) => ({
        messageId: 'm',
        line: i.line,
        fix: {
          description: 'mount',
          edits: [{ startLine: i.line, endLine: i.line, text: lines[i.line - 1]!.replace(/^RUN /, 'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked ') }],
        },
      }));
  },
};

describe('composeFixes', () => {
  it('apt-update-alone and package-cache-left on the same install: one coherent RUN', () => {
    const r = compose('FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\nCMD ["curl"]\n');
    expect(r.text).toBe(
      'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl && \\\n    rm -rf /var/lib/apt/lists/*\nCMD ["curl"]\n',
    );
    expect(r.applied.map((f) => [f.rule, f.line])).toEqual([['apt-update-alone', 2], ['package-cache-left', 2]]);
    expect(r.skipped).toEqual([]);
    // Left: suggestions only (the base image's digest, a cache mount for apt), never a fix.
    expect(r.remaining.map((f) => [f.rule, f.line, f.fix])).toEqual([['floating-base-image', 1, undefined], ['missing-cache-mount', 2, undefined]]);
  });

  it('package-cache-left is applied; apt-no-recommends stays a suggestion, on the right line', () => {
    const r = compose('FROM debian:12\nRUN apt-get update && apt-get install -y curl\n');
    expect(r.text).toBe('FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n');
    expect(r.applied.map((f) => f.rule)).toEqual(['package-cache-left']);
    expect(r.remaining.map((f) => [f.rule, f.line, f.fix, f.suggestion !== undefined])).toEqual([
      ['floating-base-image', 1, undefined, true],
      ['apt-no-recommends', 2, undefined, true],
      ['missing-cache-mount', 2, undefined, true],
    ]);
  });

  it('three fixes on one Dockerfile, each on the lines the earlier ones left', () => {
    const r = compose(
      'FROM python:3.12\nARG GIT_SHA\nRUN apt-get update\nRUN apt-get install -y libpq5\nRUN pip install -r requirements.txt\nCOPY . /app\nLABEL rev=$GIT_SHA\n',
    );
    expect(r.text).toBe(
      'FROM python:3.12\nRUN apt-get update && \\\n    apt-get install -y libpq5 && \\\n    rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . /app\nARG GIT_SHA\nLABEL rev=$GIT_SHA\n',
    );
    expect(r.applied.map((f) => f.rule)).toEqual(['apt-update-alone', 'changing-arg-early', 'package-cache-left', 'package-cache-left']);
    expect(r.remaining.map((f) => f.rule)).toEqual(['floating-base-image', 'apt-no-recommends', 'missing-cache-mount', 'missing-cache-mount']);
  });

  it('a proposed cache mount goes first, and then no rm -rf of the mounted path is added', () => {
    const r = compose('FROM debian:12\nRUN apt-get update && apt-get install -y curl\n', [aptCacheMount, ...analyzers]);
    expect(r.text).toBe(
      'FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n',
    );
    expect(r.text).not.toContain('rm -rf');
    expect(r.applied.map((f) => f.rule)).toEqual(['test-apt-cache-mount']);
  });

  it('a fix that cannot be applied is skipped with the reason; the others still are', () => {
    const broken: Analyzer = {
      ...aptCacheMount,
      id: 'test-broken',
      analyze: () => [{ messageId: 'm', line: 1, fix: { description: 'out of the file', edits: [{ startLine: 40, endLine: 41, text: 'x' }] } }],
    };
    const r = compose('FROM node:22\nRUN npm ci\n', [broken, ...analyzers]);
    expect(r.text).toBe('FROM node:22\nRUN npm ci && npm cache clean --force\n');
    expect(r.skipped).toEqual([{ finding: expect.objectContaining({ rule: 'test-broken' }) as unknown as Finding, reason: 'not applied: Edit of lines 40..41 is outside the file (2 lines).' }]);
  });

  it('stops after maxRounds when fixes keep coming', () => {
    const endless: Analyzer = {
      ...aptCacheMount,
      id: 'test-endless',
      analyze: () => [{ messageId: 'm', line: 1, fix: { description: 'add a line', edits: [{ startLine: 2, endLine: 1, text: '# again' }] } }],
    };
    const r = compose('FROM scratch\n', [endless], 3);
    expect(r.applied).toHaveLength(3);
    expect(r.text).toBe('FROM scratch\n# again\n# again\n# again\n');
    expect(r.skipped.map((s) => s.reason)).toEqual(['not applied: still pending after 3 rounds of fixes']);
  });

  it('leaves findings about other files (the .dockerignore) alone', () => {
    const other: Finding = { rule: 'x', severity: 'info', message: 'm', file: '.dockerignore', line: 1, fix: { description: 'd', edits: [{ startLine: 1, endLine: 0, text: '.git' }] } };
    const r = composeFixes('FROM scratch\n', [other], { reanalyze: () => [other], file: 'Dockerfile' });
    expect(r).toEqual({ text: 'FROM scratch\n', applied: [], skipped: [], remaining: [] });
  });
});
