// Recognising the progress lines of cache import and export vertexes in every BuildKit format: the
// parsers keep them (Build.cacheStatuses) for src/core/remote-cache.ts.
import type { CacheStatus } from '../model.js';

/** At most this many cache statuses are kept per build (an export can write thousands of layers). */
export const MAX_CACHE_STATUSES = 2000;

/** Vertexes whose statuses are about the cache: import, export, and the image export (inline cache). */
export function isCacheVertexName(name: string): boolean {
  return name.startsWith('exporting cache to ') || name.startsWith('importing cache manifest from ') ||
    name === 'exporting cache' || /(?:^|\] )exporting to (?:image|oci image format|docker image format)$/.test(name);
}

const CACHE_STATUS = /^(?:preparing build cache for export|preparing layers for inline cache|writing layer sha256:[0-9a-f]{64}|writing config sha256:[0-9a-f]{64}|writing cache manifest sha256:[0-9a-f]{64}|writing cache image manifest sha256:[0-9a-f]{64}|inferred cache manifest type: \S+)/;

/** Is this status id (rawjson) or status text one of the cache's? */
export function isCacheStatusText(text: string): boolean {
  return CACHE_STATUS.test(text);
}

/**
 * Read a status as the plain and tty formats print it: `writing layer sha256:… 0.2s done`,
 * `preparing build cache for export done`, `writing layer sha256:…` (started). Null when it is not a
 * cache status.
 */
export function readCacheStatusLine(text: string): { text: string; durationMs: number | null; done: boolean } | null {
  const m = CACHE_STATUS.exec(text);
  if (!m) return null;
  const rest = text.slice(m[0].length).trim();
  const done = /(?:^|\s)done$/.test(rest);
  const time = /(?:^|\s)(\d+(?:\.\d+)?)s(?:\s+done)?$/.exec(rest);
  return { text: m[0], durationMs: time ? Math.round(Number(time[1]) * 1000) : null, done };
}

/** Collects a build's cache statuses: one per vertex and text, the latest report of it winning. */
export class CacheStatusCollector {
  private readonly byKey = new Map<string, CacheStatus>();

  add(stepId: string, text: string, durationMs: number | null, done: boolean): void {
    const key = `${stepId}\u0000${text}`;
    const old = this.byKey.get(key);
    if (old) {
      if (durationMs !== null) old.durationMs = durationMs;
      if (done) old.done = true;
      return;
    }
    if (this.byKey.size >= MAX_CACHE_STATUSES) return;
    this.byKey.set(key, { stepId, text, durationMs, done });
  }

  /** The statuses, with step ids renamed by `rename` (parsers that number steps at the end), or undefined when none. */
  result(rename?: (id: string) => string | undefined): CacheStatus[] | undefined {
    if (this.byKey.size === 0) return undefined;
    const out: CacheStatus[] = [];
    for (const s of this.byKey.values()) {
      const id = rename ? rename(s.stepId) : s.stepId;
      if (id !== undefined) out.push({ ...s, stepId: id });
    }
    return out.length > 0 ? out : undefined;
  }
}
