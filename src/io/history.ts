// The report history: every `buildlens build` report is kept under the user's cache directory, keyed
// by what makes two builds comparable (context, Dockerfile, target, platform, builder), with a size
// cap. Never inside the build context: a file there would change the context and bust the cache.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Build } from '../core/model.js';

export interface HistoryKey {
  /** Absolute context path (or the URL / `-` as given). */
  context: string;
  /** Absolute Dockerfile path, or null for the default. */
  dockerfile: string | null;
  target: string | null;
  platform: string | null;
  builder: string | null;
}

/** Reports kept per key, and bytes kept in all. */
export const HISTORY_PER_KEY = 50;
export const HISTORY_MAX_BYTES = 50 * 1000 * 1000;

/** `$XDG_CACHE_HOME/buildlens`, `~/Library/Caches/buildlens`, `%LOCALAPPDATA%\buildlens`, else `~/.cache/buildlens`. */
export function cacheDir(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.BUILDLENS_CACHE_DIR) return env.BUILDLENS_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'buildlens');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'buildlens');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'buildlens');
  return join(home, '.cache', 'buildlens');
}

export function historyKeyId(key: HistoryKey): string {
  return createHash('sha256').update(JSON.stringify([key.context, key.dockerfile, key.target, key.platform, key.builder])).digest('hex').slice(0, 16);
}

/** Save one report (JSON text); returns the file written. Pruning errors are ignored: history is best effort. */
export async function saveToHistory(root: string, key: HistoryKey, json: string, now: Date = new Date()): Promise<string> {
  const dir = join(root, 'history', historyKeyId(key));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'key.json'), JSON.stringify(key, null, 2) + '\n');
  const file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}.json`);
  await writeFile(file, json);
  await prune(join(root, 'history'), dir).catch(() => undefined);
  return file;
}

/** A report file of a key directory (beside its `key.json`). */
const isReport = (name: string) => name.endsWith('.json') && name !== 'key.json';

/** The report files of a key directory, oldest first (their names start with the time); none when unreadable. */
async function reportNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(isReport).sort();
  } catch {
    return [];
  }
}

/** The reports kept for a key, oldest first. */
export async function listHistory(root: string, key: HistoryKey): Promise<string[]> {
  const dir = join(root, 'history', historyKeyId(key));
  return (await reportNames(dir)).map((f) => join(dir, f));
}

async function prune(historyRoot: string, keyDir: string): Promise<void> {
  const own = (await readdir(keyDir)).filter(isReport).sort();
  for (const f of own.slice(0, Math.max(0, own.length - HISTORY_PER_KEY))) await rm(join(keyDir, f), { force: true });
  // The size cap over every key: drop the oldest reports first.
  const all: Array<{ path: string; mtime: number; size: number }> = [];
  for (const k of await readdir(historyRoot)) {
    const d = join(historyRoot, k);
    let files: string[];
    try {
      files = await readdir(d);
    } catch {
      continue;
    }
    for (const f of files) {
      if (!isReport(f)) continue;
      const s = await stat(join(d, f));
      all.push({ path: join(d, f), mtime: s.mtimeMs, size: s.size });
    }
  }
  let total = all.reduce((n, f) => n + f.size, 0);
  all.sort((a, b) => a.mtime - b.mtime);
  for (const f of all) {
    if (total <= HISTORY_MAX_BYTES) break;
    await rm(f.path, { force: true });
    total -= f.size;
  }
}

/** Which history to look in: the reports of this Dockerfile (and, when given, this context), whatever the target, platform or builder. */
export interface HistoryMatch {
  dockerfile: string;
  context?: string;
}

/** The reports kept for every key that matches, oldest first (by the time in their names). */
export async function findHistoryReports(root: string, match: HistoryMatch): Promise<string[]> {
  const historyRoot = join(root, 'history');
  let dirs: string[];
  try {
    dirs = await readdir(historyRoot);
  } catch {
    return [];
  }
  const found: Array<{ name: string; path: string }> = [];
  for (const d of dirs) {
    let key: Partial<HistoryKey>;
    try {
      key = JSON.parse(await readFile(join(historyRoot, d, 'key.json'), 'utf8')) as Partial<HistoryKey>;
    } catch {
      continue;
    }
    if (key.dockerfile !== match.dockerfile || (match.context !== undefined && key.context !== match.context)) continue;
    let files: string[];
    try {
      files = await readdir(join(historyRoot, d));
    } catch {
      continue;
    }
    for (const f of files) if (isReport(f)) found.push({ name: f, path: join(historyRoot, d, f) });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((f) => f.path);
}

/**
 * The builds of the newest `limit` matching reports, oldest first, each with the file it came from.
 * Unreadable or foreign files are passed over: history is best effort.
 */
export async function loadHistoryBuilds(root: string, match: HistoryMatch | HistoryKey, limit = 10): Promise<Array<{ path: string; build: Build }>> {
  const { buildFromReportJson } = await import('../core/cold-times.js');
  const out: Array<{ path: string; build: Build }> = [];
  // A full key (a build's): that key's reports alone; a match: every key of the Dockerfile.
  const paths = 'builder' in match ? await listHistory(root, match) : await findHistoryReports(root, match);
  for (const path of paths.slice(-limit)) {
    try {
      const build = buildFromReportJson(JSON.parse(await readFile(path, 'utf8')));
      if (build) out.push({ path, build });
    } catch {
      // a report cut short while written, or not JSON: skip it
    }
  }
  return out;
}

/**
 * The reports of the key whose newest report is the newest of all (oldest first), with its key:
 * what `buildlens why` compares when given no reports. Empty when the history is empty.
 */
export async function newestKeyReports(root: string): Promise<{ key: HistoryKey | null; paths: string[] }> {
  const historyRoot = join(root, 'history');
  let dirs: string[];
  try {
    dirs = await readdir(historyRoot);
  } catch {
    return { key: null, paths: [] };
  }
  let best: { dir: string; files: string[] } | null = null;
  for (const d of dirs) {
    const files = await reportNames(join(historyRoot, d));
    const newest = files[files.length - 1];
    if (newest !== undefined && (best === null || newest > best.files[best.files.length - 1]!)) best = { dir: join(historyRoot, d), files };
  }
  if (best === null) return { key: null, paths: [] };
  let key: HistoryKey | null = null;
  try {
    key = JSON.parse(await readFile(join(best.dir, 'key.json'), 'utf8')) as HistoryKey;
  } catch {
    // a key directory without its key: the reports still compare
  }
  return { key, paths: best.files.map((f) => join(best.dir, f)) };
}
