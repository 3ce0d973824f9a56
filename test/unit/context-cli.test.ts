// `buildlens context` run in-process on temp projects: the JSON contract, --files, --diff, --fix,
// <Dockerfile>.dockerignore, and one-sentence errors with exit 2.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCliIn, type CliRun } from '../run-cli.js';
import type { ContextReport } from '../../src/cli/commands/context.js';

let dir: string;

function write(path: string, text = 'x'): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function run(argv: string[]): Promise<CliRun> {
  return runCliIn(dir, argv);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'buildlens-context-cli-'));
  write('Dockerfile', 'FROM node:20 AS build\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY src ./src\nFROM busybox\nCOPY --from=build /app /app\n');
  write('package.json', '{"name":"x"}');
  write('src/index.js', 'console.log(1)\n');
  write('node_modules/a/index.js', 'y'.repeat(5000));
  write('.git/HEAD', 'ref: refs/heads/main\n');
  write('.dockerignore', '.git\n');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('buildlens context', () => {
  it('reports both sets in JSON', async () => {
    const r = await run(['context', '--format', 'json', '--files']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as ContextReport;
    expect(json.files).toBe(5);
    expect(json.paths).toEqual(['.dockerignore', 'Dockerfile', 'node_modules/a/index.js', 'package.json', 'src/index.js']);
    expect(json.transfer).toMatchObject({ files: 2, all: false });
    expect(json.excluded.prunedDirs).toEqual([{ path: '.git', files: null, bytes: null }]);
    expect(json.junk.map((j) => j.pattern)).toEqual(['node_modules']);
    expect(json.fix.lines.map((l) => l.line)).toEqual(['node_modules']);
    expect(json.findings.map((f) => f.rule)).toEqual(['context-junk']);
  });

  it('prints a table with the totals and the lines to add', async () => {
    const r = await run(['context']);
    expect(r.stdout).toMatch(/The context as the build sees it .*\s5\s+5\.\d+kB/);
    expect(r.stdout).toContain('BuildKit sends only what package.json, src name');
    expect(r.stdout).toContain('Lines to add to .dockerignore');
    // one file: "1 file", never "1 files"
    expect(r.stdout).toMatch(/node_modules\s+installed dependencies\s+1 file\s/);
    expect(r.stdout).not.toMatch(/^\s.*\s1 files\s+\S+B$/m);
    expect(r.stdout).toMatch(/src\/\s+1 file\s/);
  });

  it('runs exactly the analyzers of analyzers/index.ts that need the context', async () => {
    const [{ analyzers }, { loadContextAnalyzers }] = await Promise.all([import('../../analyzers/index.js'), import('../../src/cli/commands/context.js')]);
    const ids = (list: Array<{ id: string }>) => list.map((a) => a.id).sort();
    expect(ids(await loadContextAnalyzers())).toEqual(ids(analyzers.filter((a) => a.needs.includes('context'))));
  });

  it('--diff prints a patch and --fix appends, keeping the user lines', async () => {
    const d = await run(['context', '--diff']);
    expect(d.stdout).toContain('+node_modules\n');
    expect(d.stdout.startsWith('--- a/.dockerignore\n+++ b/.dockerignore\n')).toBe(true);
    const f = await run(['context', '--fix']);
    expect(f.stderr).toContain('appended to .dockerignore');
    const text = readFileSync(join(dir, '.dockerignore'), 'utf8');
    expect(text.startsWith('.git\n')).toBe(true);
    expect(text).toContain('\nnode_modules\n');
    const again = JSON.parse((await run(['context', '--format', 'json'])).stdout) as ContextReport;
    expect(again.fix.lines).toEqual([]);
  });

  it('uses <Dockerfile>.dockerignore beside a -f Dockerfile outside the context', async () => {
    write('../df-' + dir.slice(-6) + '/app.Dockerfile', 'FROM x\nCOPY . .\n');
    const df = join(dir, '..', 'df-' + dir.slice(-6), 'app.Dockerfile');
    writeFileSync(df + '.dockerignore', 'node_modules\n');
    try {
      const json = JSON.parse((await run(['context', '.', '-f', df, '--format', 'json'])).stdout) as ContextReport;
      expect(json.dockerignore.path).toMatch(/app\.Dockerfile\.dockerignore$/);
      expect(json.transfer.all).toBe(true);
      expect(json.junk.map((j) => j.pattern)).toEqual(['.git']);
    } finally {
      rmSync(dirname(df), { recursive: true, force: true });
    }
  });

  it('fails with one sentence and exit 2 on what docker would reject', async () => {
    write('.dockerignore', 'ok\n[\n');
    const bad = await run(['context']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^buildlens: \.dockerignore line 2: `\[` is not a valid pattern/);
    expect((await run(['context', 'nowhere'])).code).toBe(2);
    const target = await run(['context', '--target', 'nope']);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('there is no stage `nope`');
  });

  it('is listed in the help', async () => {
    expect((await run(['--help'])).stdout).toContain('context [DIR]');
    expect((await run(['context', '--help'])).stdout).toContain('--measure-excluded');
  });
});
