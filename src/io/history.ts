// The report history: every `buildlens build` report is kept under the user's cache directory, keyed
// by what makes two builds comparable (context, Dockerfile, target, platform, builder), with a size
// cap. Never inside the build context: a file there would change the context and bust the cache.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

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

/** The reports kept for a key, oldest first. */
export async function listHistory(root: string, key: HistoryKey): Promise<string[]> {
  const dir = join(root, 'history', historyKeyId(key));
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json') && f !== 'key.json').sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

async function prune(historyRoot: string, keyDir: string): Promise<void> {
  const own = (await readdir(keyDir)).filter((f) => f.endsWith('.json') && f !== 'key.json').sort();
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
      if (!f.endsWith('.json') || f === 'key.json') continue;
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
