// The rule docs shipped in the package (docs/rules/<id>.md), for SARIF's rule help, and where they
// are published, for its helpUri: package.json's `homepage` or `repository` (a GitHub repository
// gives `<repo>/blob/HEAD/docs/rules/`). Without either there is no helpUri; the help text is there.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'buildlens') return dir;
    } catch {
      // not here: look one directory up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The docs of the given rules that exist, by id. */
export async function readRuleDocs(ids: readonly string[]): Promise<Map<string, string>> {
  const root = packageRoot();
  const docs = new Map<string, string>();
  if (root === null) return docs;
  await Promise.all(ids.map(async (id) => {
    if (!/^[a-z0-9-]+$/.test(id)) return;
    try {
      docs.set(id, await readFile(join(root, 'docs', 'rules', `${id}.md`), 'utf8'));
    } catch {
      // a rule without a doc: SARIF gets its description only
    }
  }));
  return docs;
}

/** The absolute URL of the published rule docs, from package.json, or null. */
export function ruleDocsBase(): string | null {
  const root = packageRoot();
  if (root === null) return null;
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { homepage?: string; repository?: string | { url?: string } };
    const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    const gh = repo ? /github\.com[/:]([^/]+\/[^/.]+?)(?:\.git)?$/.exec(repo) : null;
    if (gh) return `https://github.com/${gh[1]}/blob/HEAD/docs/rules/`;
    if (pkg.homepage && /^https?:\/\//.test(pkg.homepage)) return `${pkg.homepage.replace(/#.*$/, '').replace(/\/?$/, '/')}docs/rules/`;
  } catch {
    // no package.json: no helpUri
  }
  return null;
}
