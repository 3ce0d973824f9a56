// BuildKit's `--progress=plain` lines, rendered from live step events as BuildKit's own printer does
// (as compose does for its builds): `#N name`, `#N 0.123 output`, `#N DONE 1.2s`, `#N CACHED`,
// `#N ERROR: …`, a blank line after each step, and `#N ...` when output switches away from a step
// that has not ended. A CI log of `buildlens build` looks like the log of `docker build`.
import type { LiveEvent } from './live-events.js';

interface PrintedVertex {
  number: number;
  name: string;
  startAt: number;
  headerPrinted: boolean;
  ended: boolean;
}

export interface PlainRenderer {
  /** The text to print for one event ('' when nothing shows). */
  event(event: LiveEvent): string;
  /** The text still held back (a step's end line), at the end of the stream. */
  flush(): string;
}

type EndEvent = Extract<LiveEvent, { type: 'end' }>;

export function createPlainRenderer(): PlainRenderer {
  const vertexes = new Map<string, PrintedVertex>();
  let next = 1;
  /** The vertex whose lines were printed last (its block is open). */
  let open: PrintedVertex | null = null;
  /**
   * A step's end line waits until another step shows something: BuildKit reports a vertex's last
   * statuses (and sometimes a second run of it) after the vertex completed, and prints them above DONE.
   */
  let pending: { v: PrintedVertex; e: EndEvent } | null = null;

  const endLine = (v: PrintedVertex, e: EndEvent): string => {
    switch (e.status) {
      case 'cached': return `#${v.number} CACHED\n\n`;
      case 'error': return e.error ? `#${v.number} ERROR: ${e.error}\n\n` : `#${v.number} ERROR\n\n`;
      case 'canceled': return `#${v.number} CANCELED\n\n`;
      default: return `#${v.number} DONE ${((e.durationMs ?? 0) / 1000).toFixed(1)}s\n\n`;
    }
  };

  const flushPending = (except?: PrintedVertex): string => {
    if (pending === null || pending.v === except) return '';
    const { v, e } = pending;
    pending = null;
    let out = '';
    if (open !== null && open !== v && !open.ended) out += `#${open.number} ...\n\n`;
    if (!v.headerPrinted) {
      v.headerPrinted = true;
      out += `#${v.number} ${v.name}\n`;
    }
    v.ended = true;
    open = null;
    return out + endLine(v, e);
  };

  const switchTo = (v: PrintedVertex | null): string => {
    let out = flushPending(v ?? undefined);
    if (open !== null && open !== v && !open.ended) out += `#${open.number} ...\n\n`;
    if (v !== null && !v.headerPrinted) {
      v.headerPrinted = true;
      out += `#${v.number} ${v.name}\n`;
    }
    open = v;
    return out;
  };

  return {
    event(e) {
      switch (e.type) {
        case 'start': {
          let v = vertexes.get(e.id);
          if (!v) {
            v = { number: next++, name: e.name, startAt: e.atMs, headerPrinted: false, ended: false };
            vertexes.set(e.id, v);
            // The header is printed with the vertex's first line, or its end.
            return flushPending();
          }
          if (pending !== null && pending.v === v) {
            // Started again before its end was printed: one block, the last run's end.
            pending = null;
            return '';
          }
          v.startAt = e.atMs;
          v.ended = false;
          v.headerPrinted = false;
          return flushPending();
        }
        case 'log': {
          const v = vertexes.get(e.id);
          if (!v) return '';
          const elapsed = Math.max(0, (e.atMs - v.startAt) / 1000).toFixed(3);
          return switchTo(v) + `#${v.number} ${elapsed} ${e.text}\n`;
        }
        case 'status': {
          const v = vertexes.get(e.id);
          if (!v) return '';
          return switchTo(v) + `#${v.number} ${e.text}\n`;
        }
        case 'end': {
          const v = vertexes.get(e.id);
          if (!v || v.ended) return '';
          const out = flushPending(v);
          pending = { v, e };
          return out;
        }
        case 'text':
          return switchTo(null) + e.text + '\n';
      }
    },
    flush() {
      return flushPending();
    },
  };
}
