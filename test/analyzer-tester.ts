// Table-driven tests for analyzers: `valid` cases must produce no finding, `invalid` cases exactly the
// findings listed (fields compared as given), and `output` is the Dockerfile after applying the fixes.
import type { Analyzer, AnalyzerContext, ContextFile } from '../analyzers/types.js';
import type { Finding } from '../src/core/model.js';
import { parseDockerfile } from '../src/core/dockerfile.js';
import { mapStepsToDockerfile } from '../src/core/map-steps.js';
import { parseLog } from '../src/core/parse/detect.js';
import { applyFix, compareFindings, hasNeeds, toFinding } from '../src/core/analyze.js';

export interface Case {
  name?: string;
  dockerfile?: string;
  /** A build log (any supported format), parsed and mapped to `dockerfile` when there is one. */
  log?: string;
  /** Files of the build context; a `.dockerignore` with content becomes the context's .dockerignore. */
  context?: ContextFile[];
}

export interface InvalidCase extends Case {
  findings: Array<Partial<Finding> & { messageId?: string }>;
  /** The Dockerfile after applying every finding's fix; null asserts that no finding has a fix. */
  output?: string | null;
}

export const DOCKERFILE_PATH = 'Dockerfile';
export const DOCKERIGNORE_PATH = '.dockerignore';

export function buildContext(c: Case): AnalyzerContext {
  const ctx: AnalyzerContext = {};
  if (c.dockerfile !== undefined) {
    ctx.dockerfile = { path: DOCKERFILE_PATH, text: c.dockerfile, parsed: parseDockerfile(c.dockerfile) };
  }
  if (c.log !== undefined) {
    const build = parseLog(c.log);
    ctx.build = ctx.dockerfile ? mapStepsToDockerfile(build, ctx.dockerfile.parsed) : build;
  }
  if (c.context !== undefined) {
    ctx.context = { root: '/context', files: c.context };
    const ignore = c.context.find((f) => f.path === DOCKERIGNORE_PATH);
    if (ignore?.content !== undefined) ctx.context.dockerignore = { path: DOCKERIGNORE_PATH, text: ignore.content };
    // No .dockerignore in the case: findings still point at the one that would be created.
    else ctx.context.dockerignore = { path: DOCKERIGNORE_PATH, text: '', missing: true };
  }
  return ctx;
}

/** Run the analyzer on one case: findings in the runner's order, each with the messageId it came from. */
export function runCase(analyzer: Analyzer, c: Case): Array<Finding & { messageId: string }> {
  const ctx = buildContext(c);
  if (!hasNeeds(ctx, analyzer)) {
    throw new Error(`This case gives the analyzer nothing to run on: it needs ${analyzer.needs.join(', ')}.`);
  }
  return analyzer
    .analyze(ctx)
    .map((r) => ({ ...toFinding(analyzer, r, analyzer.defaultSeverity, ctx), messageId: r.messageId }))
    .sort(compareFindings);
}

function caseName(c: Case, i: number): string {
  return c.name ?? `#${i + 1}: ${(c.dockerfile ?? c.log ?? '').split('\n').filter(Boolean).slice(0, 3).join(' | ')}`;
}

export function testAnalyzer(analyzer: Analyzer, cases: { valid: Case[]; invalid: InvalidCase[] }): void {
  describe(analyzer.id, () => {
    describe('valid', () => {
      cases.valid.forEach((c, i) => {
        it(caseName(c, i), () => {
          expect(runCase(analyzer, c)).toEqual([]);
        });
      });
    });
    describe('invalid', () => {
      cases.invalid.forEach((c, i) => {
        it(caseName(c, i), () => {
          const found = runCase(analyzer, c);
          expect(found).toHaveLength(c.findings.length);
          c.findings.forEach((expected, k) => expect(found[k]).toMatchObject(expected));
          if (c.output === null) {
            expect(found.filter((f) => f.fix)).toEqual([]);
          } else if (c.output !== undefined) {
            if (c.dockerfile === undefined) throw new Error('A case with `output` needs a `dockerfile`.');
            const edits = found.flatMap((f) => f.fix?.edits ?? []);
            expect(edits.length).toBeGreaterThan(0);
            expect(applyFix(c.dockerfile, { description: 'all fixes', edits })).toBe(c.output);
          }
        });
      });
    });
  });
}
