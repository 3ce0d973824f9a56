// Markdown for pull requests: hostile text from a real-shaped log rendered inert, the verdict with a
// baseline, and the cut under GitHub's 65,536-character comment limit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliIn } from '../run-cli.js';
import { assertInert } from '../markdown-inert.js';
import { renderMarkdown } from '../../src/core/report/render-markdown.js';
import { COMMENT_MARKER, DROP_ORDER, GITHUB_COMMENT_LIMIT, cutMarkdown, fitComment, signedDuration, verdictLine, type Droppable } from '../../src/core/report/markdown-comment.js';
import { toReport, type Report } from '../../src/core/report/report.js';
import { checkBudgets } from '../../src/core/budgets.js';
import { emptyBuild, newStep, type Build, type Finding, type Step } from '../../src/core/model.js';

const root = process.cwd();
const recorded = join(root, 'test', 'fixtures', 'recorded');

/** Every hostile thing a step name or an output line can carry. */
const HOSTILE = '<script>alert(1)</script> @someone @org/team [x](http://evil.example/x) ![i](https://evil.example/i.png) a|b `tick` ``two`` #1 owner/repo#2 GH-3 https://evil www.evil.example me@evil.example </details> &lt;b&gt; <!-- c --> $x$ ~~s~~';

describe('markdown from a real-shaped log with hostile step names', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlens-md-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plain log: hostile text in the step name, its output, the excerpt and the error stays inert', async () => {
    // The recorded failing build, with the failing command replaced by the hostile text everywhere.
    const log = readFileSync(join(recorded, 'fail.plain.log'), 'utf8').split('echo "compiling"').join(`echo "${HOSTILE}"`).split('0.046 compiling').join(`0.046 ${HOSTILE}\n#5 0.047 \`\`\`\n#5 0.048 </details><img src=x onerror=alert(1)>`);
    writeFileSync(join(dir, 'hostile.plain.log'), log);
    const r = await runCliIn(dir, ['report', 'hostile.plain.log', '--format', 'markdown']);
    expect(r.stderr).toBe('');
    const md = r.stdout;
    // The hostile text is there (shown, not dropped), but only inside code.
    expect(md).toContain('<script>alert(1)</script>');
    expect(md.split('\n')[0]).toMatch(/^\*\*Build failed\*\* at `/);
    assertInert(md);
    // The excerpt's fence is longer than any backtick run inside it.
    const excerpt = /<summary>Error excerpt<\/summary>\n\n(`{3,})text\n([\s\S]*?)\n\1\n\n<\/details>/.exec(md);
    expect(excerpt).not.toBeNull();
    expect(excerpt![2]).toContain('</details><img src=x onerror=alert(1)>');
  });

  it('rawjson log: line breaks, pipes and backticks inside a vertex name cannot break a line or a table', async () => {
    const text = readFileSync(join(recorded, 'node-app.rawjson.cold.log'), 'utf8');
    const hostileName = `RUN npm ci ${HOSTILE}\n# heading\n| a | b |\n\`\`\`\n${HOSTILE}`;
    // rawjson is JSON: the name goes in JSON-escaped, as BuildKit would write it.
    expect(text).toContain('RUN npm ci"');
    writeFileSync(join(dir, 'hostile.rawjson.log'), text.split('RUN npm ci"').join(JSON.stringify(hostileName).slice(1, -1) + '"'));
    const r = await runCliIn(dir, ['report', 'hostile.rawjson.log', '--format', 'markdown']);
    expect(r.code).toBe(0);
    const md = r.stdout;
    expect(md).toContain('@someone');
    assertInert(md);
    // The name is shown on one line: no heading and no extra table row came out of it.
    expect(md).not.toMatch(/^# heading/m);
    expect(md).not.toMatch(/^\| a \| b \|/m);
  });

  it('findings text and the baseline label go through the same escaping', () => {
    const b = emptyBuild('rawjson', 'buildkit');
    b.steps.push(step('1', `[1/2] RUN ${HOSTILE}`, 'done', 3000));
    const findings: Finding[] = [{ rule: 'copy-before-install', severity: 'warning', message: HOSTILE, file: 'Docker|file', line: 2, suggestion: HOSTILE, fix: { description: HOSTILE, edits: [{ startLine: 1, endLine: 1, text: 'RUN `x` </details>' }] }, costMs: 3000 }];
    const report = toReport(b, { toolVersion: '0', findings });
    const md = renderMarkdown(report, { baseline: report, baselineLabel: '@main [x](http://e)', dockerfileText: 'RUN a\nRUN b\n' });
    assertInert(md);
    expect(md).toContain(['```diff', '--- a/Docker|file', '+++ b/Docker|file', '@@ -1,2 +1,2 @@', '-RUN a', '+RUN `x` </details>', ' RUN b', '```'].map((l) => '    ' + l).join('\n'));
  });
});

function step(id: string, name: string, status: Step['status'], durationMs: number | null, extra: Partial<Step> = {}): Step {
  const s = newStep(id, name);
  const m = /^\[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/s.exec(name);
  Object.assign(s, { internal: false, status, durationMs, instruction: m?.[4] ?? name, stage: m?.[1] ?? null, ...extra });
  return s;
}

describe('the verdict', () => {
  function build(ms: number, cached: number, total: number): Build {
    const b = emptyBuild('rawjson', 'buildkit');
    b.durationMs = ms;
    b.contextBytes = 4_100_000;
    for (let i = 0; i < total; i++) b.steps.push(step(String(i + 1), `[${i + 1}/${total}] RUN step ${i}`, i < cached ? 'cached' : 'done', i < cached ? 0 : 1000));
    return b;
  }

  it('says the time, the change against the baseline, the cache and the context on one line', () => {
    const after = toReport(build(192_000, 12, 18), { toolVersion: '0' });
    const before = toReport(build(233_000, 10, 18), { toolVersion: '0' });
    expect(verdictLine(after, { baseline: before, baselineLabel: 'main' })).toBe('**Build 3m12s** (\u221241.0s vs main) · 12/18 steps cached (10/18 on main) · context 4.10MB');
    expect(renderMarkdown(after, { baseline: before, baselineLabel: 'main' }).split('\n')[0]).toContain('(\u221241.0s vs main)');
    expect(verdictLine(after)).toBe('**Build 3m12s** · 12/18 steps cached · context 4.10MB');
  });

  it('sums what the findings cost per build', () => {
    const f = (costMs: number): Finding => ({ rule: 'r', severity: 'warning', message: 'm', file: 'Dockerfile', line: 1, costMs });
    const r = toReport(build(10_000, 0, 2), { toolVersion: '0', findings: [f(3000), f(2500)] });
    expect(verdictLine(r)).toContain('2 findings (~5.5s at stake)');
  });

  it('says the budgets under the verdict: breached (counted in the verdict), not checked, met; step names stay inert', () => {
    const b = build(10_000, 1, 4);
    b.steps[3]!.name = `[4/4] RUN ${HOSTILE}`;
    b.steps[3]!.instruction = `RUN ${HOSTILE}`;
    const r = toReport(b, { toolVersion: '0' });
    r.budgets = checkBudgets(r, { maxDurationMs: 60_000, maxStepDurationMs: 500, minCacheRatio: 0.5, maxRegression: 0.1 });
    expect(verdictLine(r)).toBe('**Build 10.0s** · 1/4 steps cached · context 4.10MB · **4 budgets breached**');
    const md = renderMarkdown(r);
    assertInert(md);
    const lines = md.split('\n');
    expect(lines[2]).toMatch(/^- \*\*Budget breached\*\* `--max-step-duration`: step RUN step 1 is 1\.0s, over the limit of 0\.5s\.$/);
    expect(lines.filter((l) => l.startsWith('- **Budget breached**'))).toHaveLength(4);
    expect(md).toContain('- **Budget breached** `--min-cache-ratio`: cache ratio \\(1 of 4 steps cached\\) is 0.25, under the minimum of 0.50.');
    expect(md).toContain('- Budget `--max-regression` not checked: there is no baseline');
    expect(md).toContain('- Budget met: `--max-duration`.');
    // A report without budgets (none set, or written before they were recorded) shows none.
    const plain = toReport(build(10_000, 1, 4), { toolVersion: '0' });
    expect(renderMarkdown(plain)).not.toContain('Budget');
    expect(renderMarkdown({ ...plain, budgets: undefined } as unknown as Report)).not.toContain('Budget');
  });

  it('signs durations with a true minus', () => {
    expect(signedDuration(-41_000)).toBe('\u221241.0s');
    expect(signedDuration(1500)).toBe('+1.5s');
    expect(signedDuration(10)).toBe('±0.0s');
  });
});

describe('the 65,536-character cut', () => {
  /** A failed build with `executed` + `cached` steps, a long error excerpt, and `info` info findings. */
  function huge(executed: number, cached: number, info: number, excerptLines = 60): Report {
    const b = emptyBuild('rawjson', 'buildkit');
    b.durationMs = 600_000;
    const total = executed + cached;
    for (let i = 0; i < total; i++) {
      const isCached = i < cached;
      b.steps.push(step(String(i + 1), `[${i + 1}/${total}] RUN ./scripts/generate --module module-${i} --with-a-long-argument-list ${'x'.repeat(40)}`, isCached ? 'cached' : 'done', isCached ? 0 : 1000 + i));
    }
    const last = step(String(total + 1), `[${total + 1}/${total + 1}] RUN make`, 'error', 2000, { error: 'exit code: 2' });
    b.steps.push(last);
    b.error = 'failed to solve: exit code: 2';
    b.errorExcerpt = Array.from({ length: excerptLines }, (_, i) => `${i} ${'error: something went wrong in a long compiler line '.repeat(18)}`);
    const findings: Finding[] = [
      { rule: 'copy-before-install', severity: 'warning', message: 'a warning that stays', file: 'Dockerfile', line: 3 },
      ...Array.from({ length: info }, (_, i): Finding => ({ rule: 'apt-no-recommends', severity: 'info', message: `info finding ${i} ${'with a long explanation '.repeat(10)}`, file: 'Dockerfile', line: i + 1 })),
    ];
    return toReport(b, { toolVersion: '0', findings });
  }

  it('leaves everything in when it fits', () => {
    const md = renderMarkdown(huge(5, 5, 2, 5));
    expect(md).not.toContain('Left out');
    expect(md).toContain('Error excerpt');
  });

  it('drops the log excerpts first, and says so', () => {
    const r = huge(20, 200, 3);
    const full = renderMarkdown(r, { limit: 10_000_000 });
    expect(full.length).toBeGreaterThanOrEqual(GITHUB_COMMENT_LIMIT);
    const md = renderMarkdown(r);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).not.toContain('Error excerpt');
    expect(md).toContain('| CACHED |');
    expect(md).toContain('info finding 0');
    expect(md).toMatch(/_Left out to stay under GitHub's 65,536-character limit: log excerpts\. The JSON report/);
    assertInert(md);
  });

  it('then the cached steps, then the info findings, in that order', () => {
    const r = huge(20, 2000, 3);
    const md = renderMarkdown(r);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).not.toContain('Error excerpt');
    expect(md).not.toContain('| CACHED |');
    expect(md).toContain('2000 cached steps left out');
    expect(md).toContain('info finding 0');
    expect(md).toMatch(/limit: log excerpts, cached steps\. /);

    const all = renderMarkdown(huge(20, 2000, 1500));
    expect(all.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(all).not.toContain('info finding 0');
    expect(all).toContain('a warning that stays');
    expect(all).toContain('1500 info findings left out');
    expect(all).toMatch(/limit: log excerpts, cached steps, info findings\. /);
    assertInert(all);
  });

  it('keeps as many step rows as fit when even that is too long, and says how many are left out', () => {
    const md = renderMarkdown(huge(3000, 0, 0));
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 1000);
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length;
    expect(rows).toBeGreaterThan(100);
    expect(md).toContain(`the last ${3001 - rows} steps left out`);
    expect(md).toContain(`_Left out to stay under GitHub's 65,536-character limit: log excerpts, cached steps, info findings, the last ${3001 - rows} steps.`);
    assertInert(md);
  });

  it('several builds in one log share the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'buildlens-md-multi-'));
    try {
      const lines: string[] = [];
      for (let b = 0; b < 2; b++) {
        lines.push('#0 building with "default" instance using docker driver', '');
        for (let i = 1; i <= 1500; i++) lines.push(`#${i} [${i}/1500] RUN echo step-${i}-${'x'.repeat(60)}`, `#${i} DONE 0.1s`, '');
      }
      writeFileSync(join(dir, 'two.log'), lines.join('\n'));
      const r = await runCliIn(dir, ['report', 'two.log', '--format', 'markdown']);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
      expect(r.stdout.match(/^## Build \d of 2$/gm)).toHaveLength(2);
      expect(r.stdout.match(/_Left out to stay under GitHub's 65,536-character limit: [^_]*the last \d+ steps\./g)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fitComment tries the drops in the fixed order and reports them', () => {
    const seen: string[] = [];
    const fit = fitComment((drop) => {
      seen.push([...drop].join('+'));
      return 'x'.repeat(drop.size >= 2 ? 10 : 100);
    }, 50);
    expect(seen).toEqual(['', 'log-excerpts', 'log-excerpts+cached-steps']);
    expect(fit.dropped).toEqual(['log-excerpts', 'cached-steps'] satisfies Droppable[]);
    expect(DROP_ORDER).toEqual(['log-excerpts', 'cached-steps', 'low-findings']);
  });

  it('cutMarkdown never leaves a fence open', () => {
    const text = ['intro', '', '```', ...Array.from({ length: 100 }, (_, i) => `line ${i}`), '```', '', 'end'].join('\n');
    const out = cutMarkdown(text, 300, 'NOTICE');
    expect(out.length).toBeLessThan(300);
    expect(out).toBe('intro\n\nNOTICE\n');
  });

  it('the comment marker is an HTML comment GitHub does not render', () => {
    expect(COMMENT_MARKER).toBe('<!-- buildlens -->');
  });
});
