import { emptyBuild, newStep, type Build, type Finding, type Step, type StepStatus } from '../../src/core/model.js';
import { toReport, type Report } from '../../src/core/report/report.js';
import { renderTable } from '../../src/core/report/render-table.js';
import { renderMarkdown } from '../../src/core/report/render-markdown.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function step(id: string, name: string, status: StepStatus, durationMs: number | null, extra: Partial<Step> = {}): Step {
  const s = newStep(id, name);
  const m = /^\[(?:(\S+) )?(\d+)\/(\d+)\] ([\s\S]*)$/.exec(name);
  if (m) {
    s.internal = false;
    s.stage = m[1] ?? null;
    s.index = Number(m[2]);
    s.total = Number(m[3]);
    s.instruction = m[4]!;
  }
  return Object.assign(s, { status, durationMs }, extra);
}

const LONG_RUN = 'RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl git ca-certificates python3 python3-pip && rm -rf /var/lib/apt/lists/*';

function failedBuild(): Build {
  const b = emptyBuild('plain', 'buildkit');
  b.contextBytes = 1060;
  b.steps = [
    step('1', '[internal] load build definition from Dockerfile', 'done', 0),
    step('2', '[internal] load metadata for docker.io/library/node:20', 'done', 1500),
    step('3', '[internal] load .dockerignore', 'done', 0),
    step('4', '[build 1/6] FROM docker.io/library/node:20', 'cached', 0),
    step('5', `[build 2/6] ${LONG_RUN}`, 'done', 42_000),
    step('6', '[build 3/6] RUN <<EOF\nset -e\necho one\nEOF', 'done', 900),
    step('7', '[build 4/6] COPY . .', 'cached', 0),
    step('8', '[build 5/6] RUN npm ci', 'done', 3100),
    step('9', '[build 6/6] RUN npm run build', 'error', 2000, { error: 'process "/bin/sh -c npm run build" did not complete successfully: exit code: 1', output: ['> build', 'boom'] }),
    step('10', '[stage-1 2/2] COPY --from=build /app/dist ./dist', 'canceled', null),
    step('11', '[stage-1 1/2] FROM docker.io/library/busybox', 'incomplete', null),
  ];
  b.error = 'failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1';
  b.errorExcerpt = ['------', ' > [build 6/6] RUN npm run build:', '0.512 boom', '------', 'Dockerfile:8', '>>> RUN npm run build'];
  b.warnings = [{ message: 'FromAsCasing: \'as\' and \'FROM\' keywords\' casing do not match', stepId: null, line: 1 }];
  return b;
}

const findings: Finding[] = [
  {
    rule: 'copy-before-install', severity: 'warning', message: 'COPY . . comes before RUN npm ci, so any source edit re-runs the install.',
    file: 'Dockerfile', line: 5, suggestion: 'Copy package.json and package-lock.json first, run npm ci, then copy the rest.',
  },
  {
    rule: 'apt-update-alone', severity: 'error', message: 'apt-get update in its own RUN is cached apart from the install.',
    file: 'Dockerfile', line: 2, fix: { description: 'Join the update and the install in one RUN.', edits: [{ startLine: 2, endLine: 3, text: 'RUN apt-get update && apt-get install -y curl' }] },
  },
];

function failedReport(): Report {
  return toReport(failedBuild(), { toolVersion: '0.1.0', dockerfile: 'Dockerfile', findings });
}

function okReport(): Report {
  const b = emptyBuild('rawjson', 'buildkit');
  b.durationMs = 12_400;
  b.startedAt = '2026-11-28T12:10:41.086Z';
  b.contextBytes = 1060;
  b.steps = [
    step('1', '[1/9] FROM docker.io/library/busybox', 'cached', 0),
    ...[2, 3, 4, 5, 6, 7].map((i) => step(String(i), `[${i}/9] RUN echo ${i}`, 'cached', 0)),
    step('8', '[8/9] RUN sleep 10', 'done', 10_000, { startMs: 100, endMs: 10_100 }),
    step('9', '[9/9] RUN sleep 2', 'done', 2_000, { startMs: 10_100, endMs: 12_100 }),
  ];
  return toReport(b, { toolVersion: '0.1.0' });
}

describe('renderTable', () => {
  const report = failedReport();

  it('has the columns and every status, in build order', () => {
    const out = renderTable(report, { width: 120, color: false });
    const header = out.split('\n')[1]!;
    for (const col of ['#', 'Stage', 'Instruction', 'Status', 'Time', 'Share']) expect(header).toContain(col);
    for (const status of ['CACHED', 'DONE', 'ERROR', 'CANCELED', 'INCOMPLETE']) expect(out).toContain(status);
    expect(out.indexOf('RUN npm ci')).toBeLessThan(out.indexOf('RUN npm run build'));
    expect(out).toMatch(/\|\s+8 \| build\s+\| RUN npm ci\s+\| DONE\s+\|\s+3\.1s \|/);
  });

  it('shows internal steps only when slow or failed, and says how many are hidden', () => {
    const out = renderTable(report, { width: 120, color: false });
    expect(out).toContain('[internal] load metadata for docker.io/library/node:20');
    expect(out).not.toContain('[internal] load .dockerignore');
    expect(out).toMatch(/2 internal steps \(under 0\.5s each\)/);
  });

  it.each([120, 100, 80, 60, 40])('fits every line in %i columns, without colour and in ASCII', (width) => {
    const out = renderTable(report, { width, color: false });
    expect(out).not.toMatch(ANSI);
    // eslint-disable-next-line no-control-regex
    expect(out).toMatch(/^[\x09\x0a\x20-\x7e]*$/);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
  });

  it.each([120, 80, 50])('fits every line in %i columns with colour', (width) => {
    const out = renderTable(report, { width, color: true });
    expect(out).toMatch(ANSI);
    for (const line of out.split('\n')) expect(Array.from(line.replace(ANSI, '')).length).toBeLessThanOrEqual(width);
  });

  it('draws an ASCII bar without colour and a block bar with it', () => {
    const plain = renderTable(report, { width: 120, color: false });
    const row = plain.split('\n').find((l) => l.includes('apt-get update'))!;
    expect(row).toMatch(/\d+% #+ *\|$/);
    expect(plain).not.toMatch(/[█▏▎▍▌▋▊▉]/);
    const coloured = renderTable(report, { width: 120, color: true });
    expect(coloured).toMatch(/█/);
  });

  it('shortens long instructions with an ellipsis and shows the first line of a heredoc', () => {
    const out = renderTable(report, { width: 80, color: false });
    expect(out).not.toContain(LONG_RUN);
    expect(out).toMatch(/RUN apt-get update && apt-get[^|]*\.\.\. \|/);
    expect(out).toMatch(/RUN <<EOF \.\.\.\s+\|/);
    expect(out).not.toContain('echo one');
    expect(renderTable(report, { width: 80, color: true })).toMatch(/RUN apt-get update[^│]*… │/);
  });

  it('summarises times, cache, context, slowest steps, the failure, warnings and findings', () => {
    const out = renderTable(report, { width: 100, color: false });
    expect(out).toMatch(/Wall time\s+unknown \(plain logs carry no clock\)/);
    expect(out).toMatch(/Step time\s+48\.0s summed over 6 timed of 8 steps/);
    expect(out).toMatch(/Steps\s+2 cached, 4 executed of 8 \(25% cached\), 1 canceled, 1 incomplete/);
    expect(out).toMatch(/Context\s+1\.06kB transferred/);
    const slowest = out.slice(out.indexOf('Slowest'));
    expect(slowest).toMatch(/1\. #5 \[build 2\/6\] RUN apt-get/);
    expect(slowest).toMatch(/2\. #8 \[build 5\/6\] RUN npm ci\s+3\.1s/);
    expect(slowest).toMatch(/3\. #9 \[build 6\/6\] RUN npm run build\s+2\.0s/);
    expect(out).toContain('Build failed at #9 [build 6/6] RUN npm run build');
    expect(out).toContain('did not complete successfully: exit code: 1');
    expect(out).toContain('0.512 boom');
    expect(out).toContain('FromAsCasing');
    expect(out).toMatch(/error\s+apt-update-alone\s+Dockerfile:2/);
    expect(out).toMatch(/warning\s+copy-before-install\s+Dockerfile:5/);
    expect(out).toContain('fix: Join the update and the install in one RUN.');
    expect(out).toContain('suggestion: Copy package.json and package-lock.json first');
  });

  it('gives the wall time when known', () => {
    expect(renderTable(okReport(), { width: 100, color: false })).toMatch(/Wall time\s+12\.4s/);
  });

  it('strips escape sequences a step printed', () => {
    const b = failedBuild();
    b.steps[7]!.instruction = 'RUN \u001b[2J\u001b]0;pwned\u0007npm ci';
    const out = renderTable(toReport(b, { toolVersion: '0' }), { width: 100, color: false });
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
  });
});

describe('renderMarkdown', () => {
  it('starts with a verdict for a failed build', () => {
    const out = renderMarkdown(failedReport());
    expect(out.split('\n')[0]).toMatch(/^\*\*Build failed\*\* at `\[build 6\/6\] RUN npm run build`/);
  });

  it('starts with the time, cache and context for a good build', () => {
    expect(renderMarkdown(okReport()).split('\n')[0]).toBe('**Build 12.4s** · 7/9 steps cached · context 1.06kB');
  });

  it('has a steps table whose rows all have the same number of cells', () => {
    const out = renderMarkdown(failedReport());
    const rows = out.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toBe('| # | Stage | Instruction | Status | Time | Share |');
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    for (const row of rows) expect(cells(row)).toBe(cells(rows[0]!));
    expect(rows.some((r) => r.includes('`RUN npm ci`') && r.includes('DONE') && r.includes('3.1s'))).toBe(true);
    expect(out).toContain('2 internal steps hidden');
  });

  it('puts the error excerpt in a fenced block inside <details>, and lists findings', () => {
    const out = renderMarkdown(failedReport());
    expect(out).toMatch(/<details>\n<summary>Error excerpt<\/summary>\n\n```text\n------\n > \[build 6\/6\] RUN npm run build:\n0\.512 boom\n/);
    expect(out).toMatch(/```\n\n<\/details>/);
    expect(out).toContain('### Slowest steps');
    expect(out).toMatch(/- \*\*error\*\* `apt-update-alone` at `Dockerfile:2`: apt-get update in its own RUN/);
    expect(out).toContain('  - Fix: Join the update and the install in one RUN.');
  });

  it('renders hostile step names, output and messages inert', () => {
    const b = failedBuild();
    b.steps[7]!.instruction = 'RUN echo "<img src=x onerror=alert(1)>" | tee `x` @octocat https://evil.example';
    b.steps[7]!.name = `[build 5/6] ${b.steps[7]!.instruction}`;
    b.steps[8]!.name = '[build 6/6] RUN </details><script>alert(1)</script>';
    b.errorExcerpt = ['ok', '```', '</details>', '<img src=x onerror=alert(1)>', '````'];
    b.warnings = [{ message: '[click](javascript:alert(1)) ![x](http://evil/x.png) @octocat', stepId: '3', line: null }];
    const hostile: Finding[] = [{ rule: 'r', severity: 'info', message: '<b>bold</b> [a](http://x) | cell', file: 'Docker|file', line: 1, suggestion: 'RUN a\n```\n</details>' }];
    const out = renderMarkdown(toReport(b, { toolVersion: '0', findings: hostile }));

    // Outside code blocks and spans, no raw HTML but ours, no link syntax, no autolinks, no mention.
    const outsideCode = out.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
    const tags = outsideCode.match(/<\/?[a-z]+[^>]*>/gi) ?? [];
    expect(tags.filter((t) => !/^<\/?(details|summary|sub)>$/.test(t))).toEqual([]);
    expect(outsideCode).not.toMatch(/(?<!\\)\]\(/);
    expect(outsideCode).not.toMatch(/https?:\/\//);
    expect(outsideCode).not.toMatch(/@octocat/);

    // The excerpt's fence is longer than any backtick run inside, so its `</details>` stays code.
    const open = out.indexOf('<summary>Error excerpt</summary>');
    const fence = /\n(`{3,})text\n/.exec(out.slice(open))!;
    expect(fence[1]!.length).toBeGreaterThan(4);
    const afterFence = out.slice(open + fence.index + fence[0].length);
    const close = afterFence.indexOf(`\n${fence[1]}\n`);
    expect(afterFence.slice(0, close)).toBe('ok\n```\n</details>\n<img src=x onerror=alert(1)>\n````');
    expect(afterFence.slice(close).startsWith(`\n${fence[1]}\n\n</details>`)).toBe(true);

    // Table rows keep their cell count despite pipes in the text.
    const rows = out.split('\n').filter((l) => l.startsWith('| '));
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    for (const row of rows) expect(cells(row)).toBe(cells(rows[0]!));
  });

  it('ends with a newline and no trailing blank lines', () => {
    const out = renderMarkdown(okReport());
    expect(out.endsWith('\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
  });
});
