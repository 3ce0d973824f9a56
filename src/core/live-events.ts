// Step events read from a build's progress stream as it arrives, for the live and plain views. The
// format parsers build the final model; this reads the same lines for "what is happening now": a step
// started, printed a line, ended. Pure: fed lines with their arrival time, it calls a listener.
import type { SourceFormat, StepStatus } from './model.js';
import { parseTime } from './parse/rawjson.js';

export type LiveEvent =
  | { type: 'start'; id: string; name: string; atMs: number }
  | { type: 'log'; id: string; text: string; atMs: number }
  /** A vertex status that completed (`transferring context: 2.07kB`), as BuildKit prints it. */
  | { type: 'status'; id: string; text: string; atMs: number }
  | { type: 'end'; id: string; status: StepStatus; atMs: number; durationMs: number | null; error: string | null }
  /** Text outside any step (the error excerpt, `ERROR: …`). */
  | { type: 'text'; text: string; atMs: number };

export type LiveListener = (event: LiveEvent) => void;

export interface LiveTracker {
  line(text: string, atMs: number): void;
  /** Flush open output lines. */
  end(atMs: number): void;
}

export function createLiveTracker(format: SourceFormat, listener: LiveListener): LiveTracker {
  switch (format) {
    case 'rawjson': return rawJsonTracker(listener);
    case 'plain': return plainTracker(listener);
    case 'legacy': return legacyTracker(listener);
    default: return plainTracker(listener);
  }
}

// --- rawjson ---------------------------------------------------------------------------------

interface RawVertexState {
  id: string;
  name: string;
  started: number | null;
  /** The raw `started` text: two runs can start within the same millisecond. */
  startedRaw: string | null;
  ended: boolean;
  partial: string;
}

function rawJsonTracker(emit: LiveListener): LiveTracker {
  const vertexes = new Map<string, RawVertexState>();
  let collecting: string[] | null = null;
  let count = 0;

  const vertexFor = (digest: string): RawVertexState => {
    let v = vertexes.get(digest);
    if (!v) {
      v = { id: String(++count), name: '', started: null, startedRaw: null, ended: false, partial: '' };
      vertexes.set(digest, v);
    }
    return v;
  };

  const flushPartial = (v: RawVertexState, atMs: number) => {
    if (v.partial !== '') emit({ type: 'log', id: v.id, text: lastRedraw(v.partial), atMs });
    v.partial = '';
  };

  const onObject = (msg: Record<string, unknown>, atMs: number) => {
    const list = (key: string): Array<Record<string, unknown>> => {
      const x = msg[key];
      return Array.isArray(x) ? x.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null) : [];
    };
    for (const raw of list('vertexes')) {
      if (typeof raw['digest'] !== 'string') continue;
      const v = vertexFor(raw['digest']);
      if (typeof raw['name'] === 'string') v.name = raw['name'];
      const started = parseTime(raw['started']);
      const completed = parseTime(raw['completed']);
      const startedRaw = typeof raw['started'] === 'string' ? raw['started'] : null;
      if (started !== null && (v.started === null || (v.ended && started >= v.started && startedRaw !== v.startedRaw))) {
        v.started = started;
        v.startedRaw = startedRaw;
        v.ended = false;
        emit({ type: 'start', id: v.id, name: v.name, atMs: started });
      }
      if (completed !== null && !v.ended && v.started !== null) {
        v.ended = true;
        flushPartial(v, completed);
        const error = typeof raw['error'] === 'string' && raw['error'] !== '' ? raw['error'] : null;
        const status: StepStatus = error !== null ? (error.includes('context canceled') || error === 'canceled' ? 'canceled' : 'error') : raw['cached'] === true ? 'cached' : 'done';
        emit({ type: 'end', id: v.id, status, atMs: completed, durationMs: status === 'cached' ? 0 : Math.max(0, completed - v.started), error });
      }
    }
    for (const raw of list('statuses')) {
      if (typeof raw['vertex'] !== 'string' || typeof raw['id'] !== 'string') continue;
      const completed = parseTime(raw['completed']);
      if (completed === null) continue;
      const v = vertexFor(raw['vertex']);
      const current = typeof raw['current'] === 'number' ? raw['current'] : null;
      emit({ type: 'status', id: v.id, text: statusText(raw['id'], current), atMs: completed });
    }
    for (const raw of list('logs')) {
      if (typeof raw['vertex'] !== 'string' || typeof raw['data'] !== 'string') continue;
      const v = vertexFor(raw['vertex']);
      const at = parseTime(raw['timestamp']) ?? atMs;
      const text = v.partial + Buffer.from(raw['data'], 'base64').toString('utf8');
      const lines = text.split('\n');
      v.partial = lines.pop() ?? '';
      for (const l of lines) emit({ type: 'log', id: v.id, text: lastRedraw(l), atMs: at });
    }
  };

  const parse = (json: string, atMs: number): boolean => {
    try {
      const msg: unknown = JSON.parse(json);
      if (typeof msg === 'object' && msg !== null && !Array.isArray(msg)) onObject(msg as Record<string, unknown>, atMs);
      return true;
    } catch {
      return false;
    }
  };

  return {
    line(text, atMs) {
      if (collecting !== null) {
        collecting.push(text);
        // buildx 0.12–0.14 indents each object: it ends at a `}` in column 0.
        if (text === '}') {
          const json = collecting.join('\n');
          collecting = null;
          parse(json, atMs);
        }
        return;
      }
      if (text === '{') {
        collecting = [text];
        return;
      }
      if (text.startsWith('{') && text.endsWith('}') && parse(text, atMs)) return;
      if (text.trim() !== '') emit({ type: 'text', text, atMs });
    },
    end(atMs) {
      for (const v of vertexes.values()) flushPartial(v, atMs);
    },
  };
}

function statusText(id: string, current: number | null): string {
  if (id.startsWith('transferring') && current !== null) return `${id} ${sizeText(current)} done`;
  return `${id} done`;
}

/** Go's units.HumanSize as BuildKit prints transfer sizes: `100B`, `2.07kB`, `12.3MB`. */
function sizeText(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let u = 0;
  while (value >= 1000 && u < units.length - 1) {
    value /= 1000;
    u++;
  }
  return `${Number(value.toPrecision(4))}${units[u]}`;
}

/** A progress bar redraws with `\r`: keep what was drawn last. */
function lastRedraw(line: string): string {
  const t = line.replace(/\r+$/, '');
  const cr = t.lastIndexOf('\r');
  return cr < 0 ? t : t.slice(cr + 1);
}

// --- plain -----------------------------------------------------------------------------------

const PLAIN_VERTEX = /^#(\d+) (.*)$/;
const PLAIN_LOG = /^(\d+\.\d*) ?(.*)$/;
const PLAIN_DONE = /^DONE(?: (\d+(?:\.\d+)?)s)?$/;

function plainTracker(emit: LiveListener): LiveTracker {
  const started = new Map<string, number>();
  const ended = new Set<string>();
  return {
    line(raw, atMs) {
      const text = lastRedraw(raw);
      const m = PLAIN_VERTEX.exec(text);
      if (!m) {
        if (text.trim() !== '') emit({ type: 'text', text, atMs });
        return;
      }
      const id = m[1]!;
      const rest = m[2]!;
      if (id === '0') return;
      if (!started.has(id)) {
        started.set(id, atMs);
        emit({ type: 'start', id, name: rest, atMs });
        return;
      }
      if (rest === '...') return;
      const done = PLAIN_DONE.exec(rest);
      const end = (status: StepStatus, durationMs: number | null, error: string | null) => {
        ended.add(id);
        emit({ type: 'end', id, status, atMs, durationMs, error });
      };
      if (done) return end('done', done[1] !== undefined ? Math.round(Number(done[1]) * 1000) : atMs - started.get(id)!, null);
      if (rest === 'CACHED') return end('cached', 0, null);
      if (rest === 'CANCELED' || rest === 'CANCELLED') return end('canceled', null, null);
      if (rest === 'ERROR' || rest.startsWith('ERROR:')) return end('error', atMs - started.get(id)!, rest.slice(6).trim() || null);
      const log = PLAIN_LOG.exec(rest);
      if (log) {
        emit({ type: 'log', id, text: log[2]!, atMs });
        return;
      }
      emit({ type: 'status', id, text: rest, atMs });
    },
    end() {},
  };
}

// --- legacy ----------------------------------------------------------------------------------

const LEGACY_STEP = /^Step (\d+)(?:\/(\d+))? : (.*)$/;

function legacyTracker(emit: LiveListener): LiveTracker {
  let current: { id: string; startAt: number; cached: boolean } | null = null;
  const close = (atMs: number, status?: StepStatus, error: string | null = null) => {
    if (!current) return;
    const s: StepStatus = status ?? (current.cached ? 'cached' : 'done');
    emit({ type: 'end', id: current.id, status: s, atMs, durationMs: s === 'cached' ? 0 : atMs - current.startAt, error });
    current = null;
  };
  return {
    line(text, atMs) {
      const m = LEGACY_STEP.exec(text);
      if (m) {
        close(atMs);
        current = { id: m[1]!, startAt: atMs, cached: false };
        emit({ type: 'start', id: m[1]!, name: `[${m[1]}/${m[2] ?? '?'}] ${m[3]!}`, atMs });
        return;
      }
      if (current && text.trim() === '---> Using cache') {
        current.cached = true;
        return;
      }
      if (/^Successfully built /.test(text)) {
        close(atMs);
        return;
      }
      if (current && /^The command .+ returned a non-zero code/.test(text)) {
        close(atMs, 'error', text);
        return;
      }
      if (current && !text.startsWith(' ---> ') && !text.startsWith('Removing intermediate container')) {
        emit({ type: 'log', id: current.id, text, atMs });
        return;
      }
      if (!current && text.trim() !== '') emit({ type: 'text', text, atMs });
    },
    end(atMs) {
      close(atMs);
    },
  };
}
