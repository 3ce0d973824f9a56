// The BuildKit `--progress=plain` parser: streaming, one line at a time, constant memory.
//
// Every vertex line is `#N <rest>`. The first `#N` line after a blank line (or the first line of a new
// N) is the vertex header; then come status lines, log lines `#N <elapsed> <text>`, `WARN:` lines and
// one end line (DONE / CACHED / ERROR / CANCELED), or `#N ...` when output switches to another vertex.
// After the vertexes come, at top level, the error excerpt, the warnings summary and the final error.
import { emptyBuild, pushOutput, newStep, type Build, type Step } from '../model.js';
import { parseSize } from '../units.js';
import type { FormatParser } from './index.js';
import { parseStepName } from './step-name.js';

/** Bounds that keep memory flat whatever the input. */
const MAX_EXCERPT_LINES = 2000;
const MAX_EXCERPT_LINE_CHARS = 1000;
const MAX_WARNINGS = 1000;
/** A `------` block longer than this is not an error excerpt: its closing line got lost. */
const MAX_BLOCK_LINES = 1000;
/** `#` followed by at most this many digits is a vertex number. */
const MAX_VERTEX_DIGITS = 9;

const CH_HASH = 35;
const CH_SPACE = 32;
const CH_TAB = 9;
const CH_DOT = 46;
const CH_0 = 48;
const CH_9 = 57;
const CH_C = 67;
const CH_D = 68;
const CH_E = 69;
const CH_W = 87;
const CH_BRACKET = 91;

// What the rest of a `#N` line is.
const K_OTHER = 0; // header or status: cannot be told apart by shape
const K_LOG = 1;
const K_DONE = 2;
const K_CACHED = 3;
const K_ERROR = 4;
const K_CANCELED = 5;
const K_MORE = 6; // `#N ...`
const K_WARN = 7;

// Where the top-level error excerpt reader is.
const X_NONE = 0; // no excerpt seen
const X_BETWEEN = 1; // between or after excerpt blocks: other top-level lines belong to it
const X_LOGS = 2; // inside a `------` block of a failed vertex's last lines
const X_SNIPPET = 3; // inside a `--------------------` Dockerfile snippet
const X_SKIP_SNIPPET = 4; // inside the snippet of a `docker build --check` warning, not an error
const X_CLOSED = 5; // after the final `ERROR:` line: top-level lines are ignored

const LOG_DASHES = '------';
const BUILDER_LINE = /^building with "([^"]*)" instance using (\S+) driver/;
const DONE_LINE = /^DONE(?: (\d+(?:\.\d+)?)s)?$/;
const ANSI = /(?:\u001b|\u00b7)\[[0-9;?]*[A-Za-z]/g;
const SUMMARY_HEADER = /^\d+ warnings? found\b/;
const SNIPPET_FILE = /^\S+:\d+$/;

interface Vertex {
  step: Step;
  /** The `[internal] load build context` vertex, whose `transferring context:` status is the context size. */
  isContext: boolean;
  contextBytes: number | null;
  /** epoch ms of the vertex's first timed line. */
  startAt: number | null;
  /** The output tail may hold slices of the caller's input chunks (see ownString). */
  dirty: boolean;
}

/**
 * A copy of `s` that does not keep a larger string alive: V8 substrings point into their parent, so
 * a kept output line would otherwise pin the whole input chunk it was cut from.
 */
function ownString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** The Go `%q` escapes that matter in an error message: `\"` and `\\`; others are left as printed. */
function unescapeGo(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(["\\])/g, '$1');
}

/** Split `msg (line 12)` into the message and the line. */
function splitLineSuffix(text: string): { message: string; line: number | null } {
  const t = text.trim();
  if (t.endsWith(')')) {
    const at = t.lastIndexOf(' (line ');
    if (at >= 0) {
      const digits = t.slice(at + 7, -1);
      if (/^\d+$/.test(digits)) return { message: t.slice(0, at), line: Number(digits) };
    }
  }
  return { message: t, line: null };
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== CH_SPACE && c !== CH_TAB) return false;
  }
  return true;
}

function isDashes(text: string, min: number): boolean {
  if (text.length < min) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 45) return false;
  return true;
}

class PlainParser implements FormatParser {
  private readonly build: Build = emptyBuild('plain', 'buildkit');
  private readonly vertexes = new Map<number, Vertex>();
  private lastNumber = -1;
  private lastVertex: Vertex | null = null;
  private afterBlank = true;

  private firstAt: number | null = null;
  private lastAt: number | null = null;

  private excerpt = X_NONE;
  /** errorExcerpt length and reader state before the current `------` block, to undo a false start. */
  private blockUndoLength = 0;
  private blockUndoState = X_NONE;
  private blockLines = 0;
  /** The last top-level line outside the excerpt: the `Dockerfile:2` before a lone snippet. */
  private prevTop: string | null = null;
  /** Top-level lines since the last `WARNING:` line (a `--check` warning carries its own snippet). */
  private sinceWarning = Infinity;
  private inSummary = false;
  /** `message\0line` of the warnings seen on `#N WARN:` lines, to drop them from the summary. */
  private readonly warnKeys = new Set<string>();

  // Set by classify():
  private logStart = 0;
  private doneMs: number | null = null;

  line(text: string, atMs?: number): void {
    // Only times a Date can hold (±8.64e15 ms) count; anything else is treated as no time.
    if (atMs !== undefined && !(Math.abs(atMs) <= 8.64e15)) atMs = undefined;
    if (atMs !== undefined) {
      if (this.firstAt === null) this.firstAt = atMs;
      this.lastAt = atMs;
    }
    if (this.excerpt === X_LOGS || this.excerpt === X_SNIPPET || this.excerpt === X_SKIP_SNIPPET) {
      this.blockLine(text, atMs);
      return;
    }
    const len = text.length;
    if (len === 0) {
      this.afterBlank = true;
      return;
    }
    if (text.charCodeAt(0) === CH_HASH) {
      let i = 1;
      let n = 0;
      for (; i < len; i++) {
        const c = text.charCodeAt(i);
        if (c < CH_0 || c > CH_9) break;
        n = n * 10 + (c - CH_0);
      }
      if (i > 1 && i <= MAX_VERTEX_DIGITS + 1 && i + 1 < len && text.charCodeAt(i) === CH_SPACE) {
        this.vertexLine(n, text, i + 1, atMs);
        return;
      }
    }
    this.topLine(text);
  }

  end(cutMidLine: boolean): Build {
    const b = this.build;
    let anyIncomplete = false;
    let context: number | null = null;
    for (const v of this.vertexes.values()) {
      if (v.dirty) this.compact(v);
      if (v.step.status === 'incomplete') anyIncomplete = true;
      if (v.contextBytes !== null) context = (context ?? 0) + v.contextBytes;
    }
    b.contextBytes = context;
    // A build that printed its final error has ended, even if some vertex never printed its end.
    const cutInExcerpt = this.excerpt === X_LOGS || this.excerpt === X_SNIPPET;
    b.incomplete = cutMidLine || cutInExcerpt || (anyIncomplete && b.error === null);
    if (this.firstAt !== null && this.lastAt !== null) {
      b.startedAt = new Date(this.firstAt).toISOString();
      b.durationMs = this.lastAt - this.firstAt;
    }
    return b;
  }

  // --- vertex lines ----------------------------------------------------------------------------

  private vertexLine(n: number, text: string, p: number, atMs: number | undefined): void {
    const wasBlank = this.afterBlank;
    this.afterBlank = false;
    this.inSummary = false;
    this.sinceWarning = Infinity;
    if (n === 0) {
      // `#0` is never a vertex: the builder line, or excerpt lines of BuildKit 0.10–0.11.
      const m = BUILDER_LINE.exec(text.slice(p));
      if (m) {
        this.build.builder.name = ownString(m[1] ?? '');
        this.build.builder.driver = ownString(m[2] ?? '');
      }
      return;
    }
    let v = n === this.lastNumber ? this.lastVertex : (this.vertexes.get(n) ?? null);
    const kind = this.classify(text, p);
    if (v === null) {
      v = this.createVertex(n, text.slice(p));
      if (atMs !== undefined) this.startAt(v, atMs);
      if (kind === K_OTHER) return;
      // A number first seen on a non-header line (a log that starts mid-build): apply it as well.
    } else {
      if (v.startAt === null && atMs !== undefined) this.startAt(v, atMs);
      if (wasBlank && kind === K_OTHER && text.length - p === v.step.name.length && text.startsWith(v.step.name, p)) {
        this.restart(v);
        return;
      }
    }
    this.lastNumber = n;
    this.lastVertex = v;
    const step = v.step;
    switch (kind) {
      case K_LOG:
        pushOutput(step, text.slice(this.logStart));
        v.dirty = true;
        return;
      case K_OTHER:
        if (v.isContext) this.contextStatus(v, text, p);
        return;
      case K_MORE:
        if (v.dirty) this.compact(v);
        return;
      case K_WARN:
        this.warnLine(step.id, text.slice(p + 5));
        return;
      case K_DONE:
        step.status = 'done';
        this.finish(v, atMs, this.doneMs);
        return;
      case K_CACHED:
        step.status = 'cached';
        this.finish(v, atMs, 0);
        return;
      case K_ERROR: {
        step.status = 'error';
        const colon = p + 5 < text.length && text.charCodeAt(p + 5) === 58 ? p + 6 : p + 5;
        step.error = ownString(unescapeGo(text.slice(colon).trim()));
        this.finish(v, atMs, null);
        return;
      }
      case K_CANCELED:
        step.status = 'canceled';
        this.finish(v, atMs, null);
        return;
    }
  }

  /** What the rest of a `#N` line (from p) is, by its first characters. */
  private classify(text: string, p: number): number {
    const len = text.length;
    const c = text.charCodeAt(p);
    if (c >= CH_0 && c <= CH_9) {
      // `<elapsed> <text>`: 0.046, 12.34, 245.3, or `%#.4g` cut to 5 characters (`1939.`).
      let i = p + 1;
      while (i < len && isDigit(text.charCodeAt(i))) i++;
      if (i < len && text.charCodeAt(i) === CH_DOT) {
        i++;
        while (i < len && isDigit(text.charCodeAt(i))) i++;
        if (i === len) {
          this.logStart = len;
          return K_LOG;
        }
        if (text.charCodeAt(i) === CH_SPACE) {
          this.logStart = i + 1;
          return K_LOG;
        }
      }
      return K_OTHER;
    }
    switch (c) {
      case CH_D:
        if (text.startsWith('DONE', p)) {
          const m = DONE_LINE.exec(text.slice(p));
          if (m) {
            this.doneMs = m[1] === undefined ? null : Math.round(Number(m[1]) * 1000);
            return K_DONE;
          }
        }
        return K_OTHER;
      case CH_C: {
        const rest = len - p;
        if (rest === 6 && text.startsWith('CACHED', p)) return K_CACHED;
        if ((rest === 8 && text.startsWith('CANCELED', p)) || (rest === 9 && text.startsWith('CANCELLED', p))) return K_CANCELED;
        return K_OTHER;
      }
      case CH_E:
        if (text.startsWith('ERROR', p) && (len === p + 5 || text.charCodeAt(p + 5) === 58)) return K_ERROR;
        return K_OTHER;
      case CH_W:
        return text.startsWith('WARN: ', p) ? K_WARN : K_OTHER;
      case CH_DOT:
        return len - p === 3 && text.startsWith('...', p) ? K_MORE : K_OTHER;
      case CH_BRACKET:
        if (text.startsWith('[output clipped', p)) {
          this.logStart = p;
          return K_LOG;
        }
        return K_OTHER;
    }
    return K_OTHER;
  }

  private createVertex(n: number, rawName: string): Vertex {
    const name = ownString(rawName);
    const step = newStep(String(n), name);
    const parts = parseStepName(name);
    step.target = parts.target;
    step.platform = parts.platform;
    step.stage = parts.stage;
    step.index = parts.index;
    step.total = parts.total;
    step.instruction = parts.instruction;
    step.internal = parts.internal;
    const v: Vertex = {
      step,
      isContext: parts.internal && name.endsWith('internal] load build context'),
      contextBytes: null,
      startAt: null,
      dirty: false,
    };
    this.vertexes.set(n, v);
    this.build.steps.push(step);
    this.lastNumber = n;
    this.lastVertex = v;
    return v;
  }

  /** The header printed again: after an end line this means the vertex runs again. */
  private restart(v: Vertex): void {
    this.lastNumber = Number(v.step.id);
    this.lastVertex = v;
    const step = v.step;
    if (step.status === 'incomplete') return;
    step.status = 'incomplete';
    step.durationMs = null;
    step.endMs = null;
    step.error = null;
  }

  private startAt(v: Vertex, atMs: number): void {
    v.startAt = atMs;
    if (this.firstAt !== null) v.step.startMs = atMs - this.firstAt;
  }

  /** An end line: `printed` is the duration the line itself gives, if any. */
  private finish(v: Vertex, atMs: number | undefined, printed: number | null): void {
    const step = v.step;
    step.durationMs = printed;
    if (atMs !== undefined && this.firstAt !== null) {
      step.endMs = atMs - this.firstAt;
      if (printed === null && v.startAt !== null) step.durationMs = atMs - v.startAt;
    }
    if (v.dirty) this.compact(v);
  }

  private compact(v: Vertex): void {
    const out = v.step.output;
    for (let i = 0; i < out.length; i++) out[i] = ownString(out[i]!);
    v.dirty = false;
  }

  /** `transferring context: 1.06kB done` on the build-context vertex. */
  private contextStatus(v: Vertex, text: string, p: number): void {
    const prefix = 'transferring context: ';
    if (!text.startsWith(prefix, p)) return;
    const from = p + prefix.length;
    let to = text.indexOf(' ', from);
    if (to < 0) to = text.length;
    const bytes = parseSize(text.slice(from, to));
    if (bytes !== null) v.contextBytes = bytes;
  }

  private warnLine(stepId: string, text: string): void {
    const { message, line } = splitLineSuffix(text);
    if (this.warnKeys.size < MAX_WARNINGS) this.warnKeys.add(message + '\u0000' + String(line));
    this.addWarning(message, stepId, line);
  }

  private addWarning(message: string, stepId: string | null, line: number | null): void {
    if (this.build.warnings.length >= MAX_WARNINGS) return;
    this.build.warnings.push({ message: ownString(message), stepId, line });
  }

  // --- top-level lines -------------------------------------------------------------------------

  private topLine(raw: string): void {
    let text = raw;
    if (raw.indexOf('\u001b') >= 0 || raw.indexOf('\u00b7[') >= 0) text = raw.replace(ANSI, '');
    if (isBlank(text)) {
      this.afterBlank = true;
      return;
    }
    if (this.excerpt === X_CLOSED) return;
    this.sinceWarning++;

    // The warnings summary: ` 2 warnings found (use docker --debug to expand):` then ` - Rule: msg (line 3)`.
    const t = text.trimStart();
    if (this.inSummary) {
      if (t.startsWith('- ')) {
        const { message, line } = splitLineSuffix(t.slice(2));
        if (!this.warnKeys.has(message + '\u0000' + String(line))) this.addWarning(message, null, line);
        return;
      }
      this.inSummary = false;
    }
    const c = t.charCodeAt(0);
    if (c >= CH_0 && c <= CH_9 && SUMMARY_HEADER.test(t)) {
      this.inSummary = true;
      return;
    }

    if (text.startsWith('ERROR') || text.startsWith('error: ')) {
      if (text.startsWith('ERROR: ') || text.startsWith('error: ')) {
        this.build.error = ownString(text.slice(7).trim());
        this.excerpt = X_CLOSED;
        return;
      }
      if (text === 'ERROR' || text === 'ERROR:') {
        this.build.error = '';
        this.excerpt = X_CLOSED;
        return;
      }
    }
    if (text.startsWith('WARNING: ')) {
      this.addWarning(text.slice(9).trim(), null, null);
      this.sinceWarning = 0;
      return;
    }
    if (text.startsWith('WARN[')) {
      // Before buildx 0.8: `WARN[0000] message`.
      const close = text.indexOf(']');
      if (close > 0) this.addWarning(text.slice(close + 1).trim(), null, null);
      this.sinceWarning = 0;
      return;
    }
    if (text.startsWith('View build details:')) return;

    if (text === LOG_DASHES) {
      this.blockUndoLength = this.build.errorExcerpt.length;
      this.blockUndoState = this.excerpt;
      this.blockLines = 0;
      this.pushExcerpt(text);
      this.excerpt = X_LOGS;
      return;
    }
    if (isDashes(text, 20)) {
      this.blockLines = 0;
      if (this.excerpt === X_NONE) {
        if (this.sinceWarning <= 3) {
          // `docker build --check`: `WARNING: Rule - url`, description, `Dockerfile:N`, snippet.
          this.excerpt = X_SKIP_SNIPPET;
          return;
        }
        if (this.prevTop !== null && SNIPPET_FILE.test(this.prevTop)) this.pushExcerpt(this.prevTop);
      }
      this.pushExcerpt(text);
      this.excerpt = X_SNIPPET;
      return;
    }
    if (this.excerpt === X_BETWEEN) this.pushExcerpt(text);
    else this.prevTop = text;
  }

  /** A line inside a `------` block or a Dockerfile snippet: kept verbatim, `#N` prefixes included. */
  private blockLine(raw: string, atMs: number | undefined): void {
    const text = raw.indexOf('\u001b') >= 0 ? raw.replace(ANSI, '') : raw;
    this.blockLines++;
    if (this.excerpt === X_LOGS) {
      if (text === LOG_DASHES) {
        this.pushExcerpt(text);
        this.excerpt = X_BETWEEN;
        return;
      }
      if (this.blockLines === 1 && !text.startsWith(' > ')) {
        // Not BuildKit's excerpt (which always names the vertex first): undo and read the line normally.
        this.build.errorExcerpt.length = Math.min(this.build.errorExcerpt.length, this.blockUndoLength);
        this.excerpt = this.blockUndoState;
        this.line(raw, atMs);
        return;
      }
      if (this.blockLines > MAX_BLOCK_LINES) {
        this.excerpt = X_BETWEEN;
        this.line(raw, atMs);
        return;
      }
      this.pushExcerpt(text);
      return;
    }
    // X_SNIPPET or X_SKIP_SNIPPET
    const closing = isDashes(text, 20);
    if (closing || this.blockLines > MAX_BLOCK_LINES) {
      const skipped = this.excerpt === X_SKIP_SNIPPET;
      this.excerpt = skipped ? X_NONE : X_BETWEEN;
      if (!closing) this.line(raw, atMs);
      else if (!skipped) this.pushExcerpt(text);
      return;
    }
    if (this.excerpt === X_SNIPPET) this.pushExcerpt(text);
  }

  private pushExcerpt(text: string): void {
    const lines = this.build.errorExcerpt;
    if (lines.length >= MAX_EXCERPT_LINES) return;
    lines.push(text.length > MAX_EXCERPT_LINE_CHARS ? text.slice(0, MAX_EXCERPT_LINE_CHARS) + '…' : ownString(text));
  }
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

export function createPlainParser(): FormatParser {
  return new PlainParser();
}

/** Parse a whole `--progress=plain` log held in memory. */
export function parsePlainLog(text: string): Build {
  const parser = createPlainParser();
  let start = 0;
  const len = text.length;
  while (start < len) {
    let nl = text.indexOf('\n', start);
    const cut = nl < 0;
    if (cut) nl = len;
    let end = nl;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    parser.line(text.slice(start, end));
    if (cut) return parser.end(true);
    start = nl + 1;
  }
  return parser.end(false);
}
