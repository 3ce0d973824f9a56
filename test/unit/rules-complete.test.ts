// Every rule is one analyzer = one file = one doc = one test (DEVELOPERS.md): this fails when an
// analyzer listed in analyzers/index.ts lacks its doc or test file, when a doc or a test file has no
// analyzer, when an analyzer file is not listed, or when the README's rules table misses a rule.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzers } from '../../analyzers/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ids = analyzers.map((a) => a.id).sort();
const base = (dir: string, suffix: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(suffix))
    .map((f) => f.slice(0, -suffix.length))
    .sort();

describe('every rule has its file, doc and test', () => {
  it('each analyzer listed in analyzers/index.ts has analyzers/<id>.ts, analyzers/<id>.test.ts and docs/rules/<id>.md', () => {
    const missing = ids.flatMap((id) =>
      [`analyzers/${id}.ts`, `analyzers/${id}.test.ts`, `docs/rules/${id}.md`].filter((p) => !existsSync(join(ROOT, p))),
    );
    expect(missing).toEqual([]);
  });

  it('each doc in docs/rules/ and each analyzers/*.test.ts belongs to a listed analyzer', () => {
    expect(base('docs/rules', '.md').filter((id) => !ids.includes(id))).toEqual([]);
    expect(base('analyzers', '.test.ts').filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('each analyzer file is listed in analyzers/index.ts', () => {
    const files = base('analyzers', '.ts').filter((f) => !f.endsWith('.test') && f !== 'index' && f !== 'types');
    expect(files.filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('ids are kebab-case and unique; each doc starts with its id', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect([id, /^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)]).toEqual([id, true]);
      const doc = join(ROOT, 'docs/rules', `${id}.md`);
      if (existsSync(doc)) expect([id, readFileSync(doc, 'utf8').split('\n')[0]]).toEqual([id, `# ${id}`]);
    }
  });

  it("the README's rules table links every rule's doc, with its default severity", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(ids.filter((id) => !readme.includes(`[\`${id}\`](docs/rules/${id}.md)`))).toEqual([]);
    const wrong = analyzers.filter((a) => !readme.includes(`[\`${a.id}\`](docs/rules/${a.id}.md) | ${a.defaultSeverity} |`)).map((a) => a.id);
    expect(wrong).toEqual([]);
  });
});
