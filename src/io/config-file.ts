// Finding and reading the config file: `.buildlens.json`, or a `buildlens` key in package.json,
// looked for from the working directory upwards; `--config PATH` names one explicitly.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, validateConfig, type Config } from '../core/config.js';
import { errnoCode, fileErrorMessage } from './errors.js';

export const CONFIG_FILE_NAME = '.buildlens.json';
export const PACKAGE_JSON_KEY = 'buildlens';

export interface FoundConfig {
  /** Absolute path of the file the config came from. */
  path: string;
  config: Config;
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw new ConfigError(fileErrorMessage(err, `The config file ${path}`, 'fix it or remove it'));
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${source} is not valid JSON (${why}): fix it or remove it.`);
  }
}

/** The config held by a package.json text, or null when it has no `buildlens` key. */
function fromPackageJson(text: string, path: string): Config | null {
  const pkg = parseJson(text, path);
  if (typeof pkg !== 'object' || pkg === null || !Object.hasOwn(pkg, PACKAGE_JSON_KEY)) return null;
  return validateConfig((pkg as Record<string, unknown>)[PACKAGE_JSON_KEY], `The "${PACKAGE_JSON_KEY}" key of ${path}`);
}

/**
 * Look for a config from `cwd` up to the file-system root. In each directory, `.buildlens.json`
 * comes first, then a `buildlens` key in `package.json` (a package.json without that key is passed
 * over); the nearest directory that has one wins. Null when there is none.
 */
export async function findConfig(cwd: string): Promise<FoundConfig | null> {
  let dir = resolve(cwd);
  for (;;) {
    const file = join(dir, CONFIG_FILE_NAME);
    const text = await readIfExists(file);
    if (text !== null) return { path: file, config: validateConfig(parseJson(text, file), file) };
    const pkgPath = join(dir, 'package.json');
    const pkg = await readIfExists(pkgPath);
    if (pkg !== null) {
      const config = fromPackageJson(pkg, pkgPath);
      if (config !== null) return { path: pkgPath, config };
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Read the config file named by `--config` (relative to `cwd`); a package.json gives its `buildlens` key. */
export async function loadConfigFile(path: string, cwd: string): Promise<FoundConfig> {
  const abs = resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(fileErrorMessage(err, `The config file ${path}`, 'check the path given to --config'));
  }
  if (basename(abs) === 'package.json') {
    const config = fromPackageJson(text, path);
    if (config === null) throw new ConfigError(`${path} has no "${PACKAGE_JSON_KEY}" key: add one, or point --config at a .buildlens.json file.`);
    return { path: abs, config };
  }
  return { path: abs, config: validateConfig(parseJson(text, path), path) };
}
