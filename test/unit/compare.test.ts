// `buildlens compare` on reports recorded from real builds of samples/ci-app
// (scripts/record-ci-fixtures.sh): pairing, totals, findings new and fixed, the renderers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompareInputError, asComparableReport, compareReports, type Comparison } from '../../src/core/compare.js';
import { renderCompareJson, renderCompareMarkdown, renderCompareTable } from '../../src/core/report/render-compare.js';
import type { Report } from '../../src/core/report/report.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const load = (name: string): Report => JSON.parse(readFileSync(join(repo, 'test', 'fixtures', 'ci-reports', `ci-app.${name}.json`), 'utf8')) as Report;
const compare = (a: string, b: string): Comparison => compareReports(load(a), load(b), { beforeFile: `${a}.json`, afterFile: `${b}.json` });
const step = (c: Comparison, instruction: string) => c.steps.find((s) => s.instruction === instruction && !s.internal);

describe('compareReports on recorded builds', () => {
  it('before and after the Dockerfile fix: npm ci goes from DONE to CACHED, the manifest COPY is added, the finding is fixed', () => {
    const c = compare('before-fix', 'after-fix');
    const npm = step(c, 'RUN npm ci')!;
    expect(npm.change).toBe('matched');
    expect(npm.before!.status).toBe('done');
    expect(npm.after!.status).toBe('cached');
    expect(npm.before!.durationMs).toBeGreaterThan(2500);
    expect(npm.deltaMs).toBe(npm.after!.durationMs! - npm.before!.durationMs!);
    expect(npm.ratio).toBeLessThan(0.1);
    const manifests = step(c, 'COPY package.json package-lock.json ./')!;
    expect(manifests.change).toBe('added');
    expect(manifests.before).toBeNull();
    expect(c.counts.added).toBeGreaterThanOrEqual(1);
    expect(c.findings.fixed.map((f) => f.rule)).toEqual(['copy-before-install']);
    expect(c.findings.new).toEqual([]);
    // The fixed build's steps sum is the npm install shorter.
    expect(c.totals.stepsDurationMs.delta).toBeLessThan(-2500);
    expect(c.totals.cacheRatio.after).toBeGreaterThan(c.totals.cacheRatio.before!);
    expect(c.totals.criticalPathMs.after).toBeLessThan(c.totals.criticalPathMs.before!);
  });

  it('cold against an edit: every non-internal step pairs up; the CI finding is fixed, copy-before-install stays', () => {
    const c = compare('cold', 'edit');
    expect(c.counts.added + c.counts.removed).toBeLessThanOrEqual(2); // BuildKit may name a shared FROM after another stage
    expect(c.counts.matched).toBeGreaterThanOrEqual(6);
    expect(c.findings.fixed.map((f) => f.rule)).toEqual(['no-cache-from-on-ci']);
    expect(c.findings.unchanged).toBe(1);
    expect(c.totals.contextBytes.before).toBe(1639);
    expect(c.totals.contextBytes.delta).toBe(387 - 1639);
  });

  it('an imported cache: every RUN step goes from DONE to CACHED', () => {
    const c = compare('inline-export', 'cache-from');
    for (const text of ['RUN npm ci', 'RUN npm run build']) {
      const s = step(c, text)!;
      expect([s.before!.status, s.after!.status]).toEqual(['done', 'cached']);
    }
    expect(c.totals.wallMs.ratio).toBeLessThan(0.1);
  });

  it('a report compared with itself changes nothing', () => {
    const c = compare('edit', 'edit');
    expect(c.counts).toEqual({ matched: load('edit').totals.steps, added: 0, removed: 0 });
    expect(c.steps.every((s) => s.deltaMs === 0)).toBe(true);
    expect(c.findings.new).toEqual([]);
    expect(c.findings.fixed).toEqual([]);
  });

  it('a step only BEFORE had is listed as removed, after AFTER\'s steps', () => {
    const c = compare('after-fix', 'before-fix');
    const removed = c.steps.filter((s) => s.change === 'removed');
    expect(removed.map((s) => s.instruction)).toContain('COPY package.json package-lock.json ./');
    expect(c.steps.indexOf(removed[0]!)).toBeGreaterThan(c.steps.findIndex((s) => s.change !== 'removed'));
    expect(c.findings.new.map((f) => f.rule)).toEqual(['copy-before-install']);
  });
});

describe('asComparableReport', () => {
  it('refuses another schemaVersion with one sentence naming both versions', () => {
    const r = { ...load('edit'), schemaVersion: 2 };
    expect(() => asComparableReport(r, 'old.json')).toThrow(CompareInputError);
    expect(() => asComparableReport(r, 'old.json')).toThrow(/^old\.json is a report of schemaVersion 2, but this buildlens compares schemaVersion 1: [^\n]*\.$/);
  });

  it('refuses what is not a report, and takes the last report of an array', () => {
    expect(() => asComparableReport({ hello: 1 }, 'x.json')).toThrow(/x\.json is not a buildlens JSON report/);
    expect(() => asComparableReport({ schemaVersion: 1 }, 'x.json')).toThrow(/not a complete buildlens JSON report/);
    expect(asComparableReport([load('cold'), load('edit')], 'all.json').totals).toEqual(load('edit').totals);
  });
});

describe('compare renderers', () => {
  const c = compare('before-fix', 'after-fix');

  it('table: plain ASCII lines: the verdict, totals, a row per step with its status change', () => {
    const text = renderCompareTable(c);
    expect(text).toMatch(/^Compare before-fix\.json -> after-fix\.json\n/);
    expect(text).toMatch(/\nwall time +\d+\.\ds +\d+\.\ds +[-+]\d+\.\ds/);
    expect(text).toMatch(/\nDONE -> CACHED +deps: RUN npm ci +3\.\ds +0\.0s +-3\.\ds +0\.00x\n/);
    expect(text).toMatch(/\nadded CACHED +deps: COPY package\.json package-lock\.json \.\/ +- +0\.0s/);
    expect(text).toMatch(/\nfindings +1 +0 +0 new, 1 fixed\n/);
    expect(text).toMatch(/\nfixed: .*copy-before-install: /);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[^\x0a\x20-\x7e]/);
  });

  it('markdown: a verdict line, a totals table, the changed steps, every step folded', () => {
    const md = renderCompareMarkdown(c);
    expect(md.split('\n')[0]).toMatch(/^\*\*Compared with `before-fix\.json`:\*\* wall .* → .*steps cached; 1 finding fixed$/);
    expect(md).toContain('| cache ratio |');
    expect(md).toMatch(/\| DONE → CACHED \| `deps: RUN npm ci` \| 3\.\ds \| 0\.0s \| -3\.\ds \| 0\.00x \|/);
    expect(md).toContain('<details><summary>Every step</summary>');
    expect(md).toMatch(/- \*\*fixed\*\* `copy-before-install`: /);
  });

  it('markdown: hostile step names cannot inject HTML, links, mentions or break the table', () => {
    const before = load('edit');
    const after = load('edit');
    const evil = after.steps.find((s) => s.instruction === 'RUN npm ci')!;
    evil.instruction = 'RUN echo "<script>alert(1)</script> @someone [x](http://evil.example) | a | b"';
    evil.name = `[deps 4/4] ${evil.instruction}`;
    evil.stage = '<img src=x>';
    const md = renderCompareMarkdown(compareReports(before, after, { beforeFile: '@team <b>.json', afterFile: 'a.json' }));
    // Inside code spans GitHub shows text literally; outside them nothing may be live.
    const outside = md.replace(/`[^`\n]*`/g, '');
    expect(outside).not.toMatch(/<script>|<img|<b>|@someone|@team|\]\(http/);
    expect(md).toContain(': RUN echo "<script>');
    for (const line of md.split('\n').filter((l) => l.startsWith('| ') && l.includes('RUN echo'))) {
      // Six cells: every `|` inside the code span is escaped.
      expect(line.replace(/\\\|/g, '').split('|').length - 2).toBe(6);
    }
  });

  it('json: the comparison as documented, versioned', () => {
    const json = JSON.parse(renderCompareJson(c)) as Comparison;
    expect(json.schemaVersion).toBe(1);
    expect(json.kind).toBe('buildlens-compare');
    expect(Object.keys(json.totals)).toEqual(['wallMs', 'stepsDurationMs', 'criticalPathMs', 'cacheRatio', 'cachedSteps', 'contextBytes', 'findings']);
    expect(json.budgets).toBeNull();
  });
});
