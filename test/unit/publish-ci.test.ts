// What buildlens hands to CI: workflow-command annotations (escaped as the runner reads them), SARIF
// validated against the official SARIF 2.1.0 JSON schema on reports of recorded builds, and the
// GitHub Action and the workflows of docs/ci.md parsed and checked.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { runCliIn } from '../run-cli.js';
import { escapeCommandData, escapeCommandProperty, renderAnnotations, workflowCommand } from '../../src/core/report/render-annotations.js';
import { renderSarif } from '../../src/core/report/render-sarif.js';
import { analyzers } from '../../analyzers/index.js';

const require = createRequire(import.meta.url);
const root = process.cwd();
const recorded = join(root, 'test', 'fixtures', 'recorded');

/** How the runner reads a workflow command back (actions/runner ActionCommand: unescape data, then properties). */
function parseCommand(line: string): { command: string; properties: Record<string, string>; data: string } {
  const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unProp = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = kv.indexOf('=');
    properties[kv.slice(0, eq)] = unProp(kv.slice(eq + 1));
  }
  return { command: m[1]!, properties, data: unData(m[3]!) };
}

describe('annotations (GitHub workflow commands)', () => {
  it('escapes data and properties as @actions/core does', () => {
    expect(escapeCommandData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeCommandProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('one line per finding: levels, file, line, title; hostile text cannot start a command or add a property', () => {
    const hostile = 'ends here\n::add-mask::secret\r\n::stop-commands::x %0A, file=evil.txt,line=1::';
    const out = renderAnnotations([
      { rule: 'copy-before-install', severity: 'warning', message: hostile, file: 'app/Dock,er:file', line: 5, suggestion: null, fix: { description: 'Copy the manifests first' } },
      { rule: 'apt-update-alone', severity: 'error', message: 'apt-get update alone', file: 'Dockerfile', line: 2 },
      { rule: 'apt-no-recommends', severity: 'info', message: 'no recommends', file: null, line: 3 },
      { rule: 'cache', severity: 'warning', message: 'no file, no default', file: null, line: null },
    ], { defaultFile: 'Dockerfile' });
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l).toMatch(/^::(warning|error|notice) [^:]*::/);
    const first = parseCommand(lines[0]!);
    expect(first.command).toBe('warning');
    expect(first.properties).toEqual({ file: 'app/Dock,er:file', line: '5', title: 'buildlens copy-before-install' });
    // CRLF is folded to LF; every line break survives, escaped.
    expect(first.data).toBe(`${hostile.replace(/\r\n/g, '\n')}\nFix: Copy the manifests first`);
    expect(parseCommand(lines[1]!)).toEqual({ command: 'error', properties: { file: 'Dockerfile', line: '2', title: 'buildlens apt-update-alone' }, data: 'apt-get update alone' });
    // Info is a notice; a finding without a file points at the build's Dockerfile.
    expect(parseCommand(lines[2]!).command).toBe('notice');
    expect(parseCommand(lines[2]!).properties.file).toBe('Dockerfile');
    expect(renderAnnotations([])).toBe('');
  });

  it('drops control characters and ANSI sequences', () => {
    expect(workflowCommand('warning', { title: 'a\u001b[31mb' }, 'x\u0007y\u001b[0m')).toBe('::warning title=ab::xy');
  });

  it('`report --annotations` prints them on stderr; stdout keeps the report', async () => {
    const r = await runCliIn(root, ['report', join(recorded, 'node-app.plain.cold.log'), '--dockerfile', 'samples/node-app/Dockerfile', '--format', 'json', '--annotations']);
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toMatch(/^::warning file=samples\/node-app\/Dockerfile,line=5,title=buildlens copy-before-install::`COPY \. \.` copies/m);
  });
});

describe('SARIF 2.1.0 against the official schema', () => {
  // The SARIF 2.1.0 schema as published by the SARIF TC (rtm.5, the OASIS Standard's), shipped in
  // @microsoft/jest-sarif; it is draft-04, hence ajv-draft-04 (see docs/dependencies.md).
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
  let validate: ((data: unknown) => boolean) & { errors?: unknown };
  let dir = '';

  beforeAll(async () => {
    const { default: Ajv04 } = await import('ajv-draft-04');
    const { default: addFormats } = await import('ajv-formats');
    const ajv = new (Ajv04 as unknown as new (o: object) => { compile(s: object): typeof validate })({ allErrors: true, strict: false, unicodeRegExp: false });
    (addFormats as unknown as (a: unknown) => void)(ajv);
    validate = ajv.compile(schema);
    dir = mkdtempSync(join(tmpdir(), 'buildlens-sarif-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function valid(text: string): { runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri?: string; help: { text: string } }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations?: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> } {
    const sarif = JSON.parse(text);
    const ok = validate(sarif);
    if (!ok) throw new Error(JSON.stringify(validate.errors, null, 2));
    expect(ok).toBe(true);
    return sarif;
  }

  it('rejects what is not SARIF (the validator is live)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });

  it('report --format sarif on every recorded node-app build, with its finding', async () => {
    for (const log of ['node-app.plain.cold.log', 'node-app.rawjson.cold.log', 'node-app.legacy.edit.log', 'fail.plain.log']) {
      const dockerfile = log.startsWith('fail') ? 'samples/failing/Dockerfile' : 'samples/node-app/Dockerfile';
      const r = await runCliIn(root, ['report', join(recorded, log), '--dockerfile', dockerfile, '--format', 'sarif']);
      expect(r.stderr).toBe('');
      const sarif = valid(r.stdout);
      const run = sarif.runs[0]!;
      if (log.startsWith('node-app')) {
        const result = run.results.find((x) => x.ruleId === 'copy-before-install')!;
        expect(result.level).toBe('warning');
        expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe('copy-before-install');
        expect(result.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'samples/node-app/Dockerfile' }, region: { startLine: 5 } });
      }
      // Every rule is described, its doc as help.
      const rule = run.tool.driver.rules.find((x) => x.id === 'copy-before-install')!;
      expect(rule.help.text).toContain('# copy-before-install');
    }
  });

  it('lint --format sarif on the lint samples (findings with fixes)', async () => {
    for (const sample of ['python-fixable', 'go-fixable', 'node-already-right']) {
      const r = await runCliIn(join(root, 'samples', 'lint', sample), ['lint', '--format', 'sarif']);
      const sarif = valid(r.stdout);
      if (sample !== 'node-already-right') expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    }
  });

  it('context --format sarif on a context with junk and a secret', async () => {
    const ctx = join(dir, 'ctx');
    mkdirSync(join(ctx, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(ctx, 'node_modules', 'x', 'index.js'), 'x'.repeat(5000));
    writeFileSync(join(ctx, '.env'), 'TOKEN=abc\n');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localbase/busybox\nCOPY . .\n');
    const r = await runCliIn(ctx, ['context', '--format', 'sarif']);
    const sarif = valid(r.stdout);
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
  });

  it('helpUri is an absolute URI when the docs base is known; unknown rules still get an index', () => {
    const sarif = valid(renderSarif({
      findings: [{ rule: 'not-an-analyzer', severity: 'info', message: 'm', file: '/abs/path with space/Dockerfile', line: 1 }],
      rules: analyzers,
      toolVersion: '1.2.3',
      docsBase: 'https://example.org/buildlens/docs/rules/',
    }));
    const run = sarif.runs[0]!;
    expect(run.tool.driver.rules[0]!.helpUri).toMatch(/^https:\/\/example\.org\/buildlens\/docs\/rules\/[a-z-]+\.md$/);
    expect(run.tool.driver.rules[run.results[0]!.ruleIndex]!.id).toBe('not-an-analyzer');
    expect(run.results[0]!.locations![0]!.physicalLocation.artifactLocation.uri).toBe('file:///abs/path%20with%20space/Dockerfile');
  });
});

describe('the GitHub Action and the CI docs', () => {
  const action = parseYaml(readFileSync(join(root, 'action.yml'), 'utf8')) as {
    name: string; description: string;
    inputs: Record<string, { description: string; required?: boolean; default?: string }>;
    outputs: Record<string, { description: string; value: string }>;
    runs: { using: string; steps: Array<{ name?: string; id?: string; shell?: string; run?: string; uses?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> }> };
  };

  it('action.yml is a composite action whose inputs are described and whose run steps name a shell', () => {
    expect(typeof action.name).toBe('string');
    expect(typeof action.description).toBe('string');
    expect(action.runs.using).toBe('composite');
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(`${name}: ${typeof input.description}`).toBe(`${name}: string`);
    }
    for (const [name, output] of Object.entries(action.outputs)) expect(`${name}: ${typeof output.value}`).toBe(`${name}: string`);
    for (const step of action.runs.steps) {
      expect(Boolean(step.run) !== Boolean(step.uses)).toBe(true);
      if (step.run) expect(step.shell).toBeDefined();
    }
    // Every ${{ inputs.x }} it reads is declared.
    const text = readFileSync(join(root, 'action.yml'), 'utf8');
    for (const m of text.matchAll(/inputs\.([a-z0-9-_]+)/g)) expect(Object.keys(action.inputs)).toContain(m[1]);
  });

  it('action.yml runs buildlens build, uploads the JSON report, compares and keeps one comment by its marker', () => {
    const text = readFileSync(join(root, 'action.yml'), 'utf8');
    const steps = action.runs.steps;
    expect(steps.some((s) => s.run?.includes('build') && s.run.includes('--report'))).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
    expect(text).toContain('compare');
    expect(text).toContain('<!-- buildlens -->');
    // User input never lands in a script as an expression (script injection): only through env.
    for (const s of steps) if (s.run) expect(s.run).not.toMatch(/\$\{\{\s*(inputs|github\.event)\./);
  });

  it('docs/ci.md holds workflows that parse, with the fork-safe split', () => {
    const md = readFileSync(join(root, 'docs', 'ci.md'), 'utf8');
    const blocks = [...md.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const docs = blocks.map((b) => {
      const all = parseAllDocuments(b);
      for (const d of all) expect(d.errors).toEqual([]);
      return parseYaml(b) as Record<string, unknown>;
    });
    const workflows = docs.filter((d) => 'jobs' in d && 'on' in d) as Array<{ on: Record<string, unknown>; jobs: Record<string, { 'runs-on'?: string; steps: unknown[]; permissions?: Record<string, string> }> }>;
    // The build on pull_request, the comment on workflow_run; never pull_request_target.
    expect(workflows.some((w) => 'pull_request' in w.on)).toBe(true);
    const commenter = workflows.find((w) => 'workflow_run' in w.on)!;
    expect(commenter).toBeDefined();
    for (const job of Object.values(commenter.jobs)) expect(job.permissions?.['pull-requests']).toBe('write');
    for (const w of workflows) {
      expect(Object.keys(w.on)).not.toContain('pull_request_target');
      for (const job of Object.values(w.jobs)) {
        expect(job['runs-on']).toBeDefined();
        expect(Array.isArray(job.steps)).toBe(true);
      }
    }
    // A GitLab CI job.
    expect(docs.some((d) => Object.values(d).some((v) => typeof v === 'object' && v !== null && 'script' in v))).toBe(true);
  });
});
