// The BuildKit `--progress=plain` parser: streaming, one line at a time, constant memory.
//
// Every vertex line is `#N <rest>`. The first `#N` line after a blank line (or the first line of a new
// N) is the vertex header; then come status lines, log lines `#N <elapsed> <text>`, `WARN:` lines and
// one end line (DONE / CACHED / ERROR / CANCELED), or `#N ...` when output switches to another vertex.
// After the vertexes come, at top level, the error excerpt, the warnings summary and the final error.
//
// Older BuildKit: v0.8 prints `#N sha256:<digest>` under each header (a status line here); v0.5–v0.7
// print `%#.4g` elapsed times (`1939.`) and cut names to 72 bytes + `...` (kept as printed: the
// trailing `...` flags the cut); v0.3–v0.4 (Docker 18.09) print no end lines at all, but event lines
// `#N      started: 2019-01-15 10:16:28.5 +0000 UTC` (`digest:`, `name:`, `started:`, `completed:`,
// `duration:`, `cached:`, `error:`, the key right-aligned in 13 columns) that carry absolute times.
//
// One log can hold several builds (builds run one after another, compose v1 services, bake groups
// re-run): a new `#0 building with …` line, or an opening vertex (`#1 [internal] load build
// definition …`) of a number already seen once the build before has ended, starts the next build.
import { CacheStatusCollector, isCacheVertexName, readCacheStatusLine } from './cache-status.js';
import { emptyBuild, pushOutput, newStep, type Build, type BuildWarning, type Step } from '../model.js';
import { parseSize } from '../units.js';
import type { FormatParser } from './index.js';
import { isTruncatedName, nameStep } from './step-name.js';

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
const CH_B = 66;
const CH_LOWER_E = 101;
const CH_LOWER_F = 102;
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
const K_EVENT = 8; // BuildKit v0.3–v0.4 `#N      started: …`

// The event keys of BuildKit v0.3–v0.4.
const E_DIGEST = 0;
const E_NAME = 1;
const E_STARTED = 2;
const E_COMPLETED = 3;
const E_DURATION = 4;
const E_CACHED = 5;
const E_ERROR = 6;
const EVENT_KEYS = new Map<string, number>([
  ['digest', E_DIGEST], ['name', E_NAME], ['started', E_STARTED], ['completed', E_COMPLETED],
  ['duration', E_DURATION], ['cached', E_CACHED], ['error', E_ERROR],
]);
/** `%13s`: the event key and its colon fill 13 columns, then a space. */
const EVENT_KEY_WIDTH = 13;

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
/** The first vertexes of a build: seen again (same number) after a build ended, a new build began. */
const OPENING_VERTEX = /^\[(?:[^\]]* )?internal\] (?:load build definition|load \.dockerignore|load local bake definitions|booting buildkit|load remote build context)/;
/** The last vertexes of a build: once one ended, the build has. */
const EXPORT_VERTEX = /^(?:\[[^\]]*\] )?(?:exporting |importing to |writing image|naming to |copying files|sending tarball|pushing )/;
/** Final errors printed without `ERROR:` (Docker 18.09, img, old buildctl). */
const BARE_FINAL_ERROR = /^(?:failed to solve|failed to build LLB|executor failed running \[)/;
/** `docker build --check`: `WARNING: UndefinedVar - https://docs.docker.com/go/dockerfile/rule/undefined-var/`. */
const CHECK_WARNING = /^WARNING: ([A-Za-z][A-Za-z0-9]*) - (?:https?:\/\/\S+)$/;
/**
 * The first line of a number not seen before is its header only if it has the shape of a vertex
 * name: bracketed, or one of the unbracketed names BuildKit gives internal vertexes.
 */
const HEADER_SHAPE = /^(?:\[|exporting to |exporting cache|importing |resolve image config for |load |docker-image:\/\/|local:\/\/|git:\/\/|https?:\/\/)/;
/**
 * A status line (`sha256:… 31.24MB / 105.50MB 0.6s`, `extracting sha256:…`, `… done`): taken for a
 * header by nothing; a paste that starts inside a vertex opens with one.
 */
const STATUS_SHAPE = /^(?:sha256:|extracting |transferring |writing |naming to |unpacking |pushing |pulling |creating |loading |sending |preparing |copying |exporting (?:layers|manifest|config|attestation)|resolve )|(?:^|\s)done$|\s\d+(?:\.\d+)?s$|\d[kMGT]?B \/ \d/;
/** The name of a step whose header the log does not hold (it starts inside the vertex). */
export const HEADERLESS_NAME = '(header not in the log)';
/** An excerpt log line's `#N ` (BuildKit 0.10–0.11) and elapsed-time (`12.34 `, `1939. `) prefixes. */
const EXCERPT_LOG_PREFIX = /^(?:#(\d+) )?(?:\d+\.\d* )?/;
/** The solver's prefixes before a step's own error in the final error line. */
const SOLVER_PREFIX = /^(?:failed to build: )?(?:failed to solve: )?(?:failed to solve with frontend dockerfile\.v0: )?(?:rpc error: code = \w+ desc = )?/;
/** compose v1: `Building web` (a service name). */
const COMPOSE_SERVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Go's time.String(): `2020-02-17 22:08:42.316860637 +0000 UTC m=+0.033`. */
const GO_TIME = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?: ([+-])(\d\d)(\d\d))?/;
/** One term of a Go duration: `2m`, `3.4s`, `92.9ms`, `63.1µs`. */
const GO_DURATION_TERM = /(\d+(?:\.\d*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y;
const GO_DURATION_UNIT: Record<string, number> = { ns: 1e-6, us: 1e-3, '\u00b5s': 1e-3, '\u03bcs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

interface Vertex {
  step: Step;
  /** The name as the header printed it (the step's name may be replaced by a v0.3 `name:` event). */
  header: string;
  /** BuildKit v0.3–v0.4 event times, epoch ms with fractions. */
  absStart: number | null;
  absEnd: number | null;
  /**
   * The other steps printed under the same `#N` with another bracket (bake and compose share one
   * vertex between targets: `#7 [web 1/4] FROM x`, later `#7 [api 1/4] FROM x`), this one included.
   */
  siblings: Vertex[] | null;
  /**
   * The log does not hold this vertex's header (it starts inside it): the step is named
   * `#N (header not in the log)` until a header turns up. It stays internal (not counted in totals):
   * nothing says which Dockerfile step it was, so it cannot be counted or mapped.
   */
  headerless: boolean;
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

/** Go's time.String() → epoch ms (with the sub-millisecond fraction), or null. */
export function parseGoTime(text: string): number | null {
  const m = GO_TIME.exec(text);
  if (!m) return null;
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (m[7] !== undefined) ms += Number('0.' + m[7]) * 1000;
  // No zone: a line cut short; the zone is UTC in every log seen.
  if (m[8] !== undefined) ms -= (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  return Number.isFinite(ms) ? ms : null;
}

/** A Go time.Duration string (`1.5s`, `2m3.4s`, `92.931508ms`, `63.109µs`) → ms, or null. */
export function parseGoDuration(text: string): number | null {
  const t = text.trim();
  if (t === '0s' || t === '0') return 0;
  let ms = 0;
  let at = 0;
  while (at < t.length) {
    GO_DURATION_TERM.lastIndex = at;
    const m = GO_DURATION_TERM.exec(t);
    if (!m) return null;
    ms += Number(m[1]) * GO_DURATION_UNIT[m[2]!]!;
    at = GO_DURATION_TERM.lastIndex;
  }
  return at > 0 ? ms : null;
}

/** A Go `%q` string (`"[internal] load .dockerignore"`) → its text; unquoted text is returned trimmed. */
function unquoteGo(text: string): string {
  const t = text.trim();
  if (t.length < 2 || t.charCodeAt(0) !== 34 || t.charCodeAt(t.length - 1) !== 34) return t;
  try {
    const v: unknown = JSON.parse(t);
    if (typeof v === 'string') return v;
  } catch {
    // Go escapes JSON does not know (`\x00`, `\a`): undo only the common ones.
  }
  return unescapeGo(t.slice(1, -1));
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

/** One build of a plain log. */
class PlainParser implements FormatParser {
  /**
   * Set when the line just given starts the next build: that line was not read, and the caller
   * ends this parser and gives the line to a new one.
   */
  split = false;
  private readonly build: Build = emptyBuild('plain', 'buildkit');
  /** The vertex each `#N` line now goes to. */
  private readonly vertexes = new Map<number, Vertex>();
  /** Every vertex, aliases included. */
  private readonly all: Vertex[] = [];
  private maxNumber = -1;
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
  /** The warning of a `--check` block whose description and `Dockerfile:N` lines come next. */
  private checkWarning: BuildWarning | null = null;
  /** The final error came from a bare line after the excerpt (no `ERROR:`): a later `ERROR:` line wins. */
  private bareError = false;
  /** `message\0line` of the warnings seen on `#N WARN:` lines, to drop them from the summary. */
  private readonly warnKeys = new Set<string>();
  private readonly cacheStatuses = new CacheStatusCollector();

  // Set by classify():
  private logStart = 0;
  private doneMs: number | null = null;
  private eventKey = E_DIGEST;

  /** @param target compose v1's `Building web`: the target of every step without one. */
  constructor(private target: string | null) {}

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
    this.settleTargets();
    for (const v of this.all) {
      if (v.dirty) this.compact(v);
      if (v.step.status === 'incomplete') anyIncomplete = true;
      if (v.contextBytes !== null) context = (context ?? 0) + v.contextBytes;
    }
    b.contextBytes = context;
    const cacheStatuses = this.cacheStatuses.result();
    if (cacheStatuses) b.cacheStatuses = cacheStatuses;
    if (this.all.length === 0) this.excerptSteps();
    // A build that printed its final error has ended, even if some vertex never printed its end.
    const cutInExcerpt = this.excerpt === X_LOGS || this.excerpt === X_SNIPPET;
    b.incomplete = cutMidLine || cutInExcerpt || (anyIncomplete && b.error === null);
    if (this.firstAt !== null && this.lastAt !== null) {
      b.startedAt = new Date(this.firstAt).toISOString();
      b.durationMs = this.lastAt - this.firstAt;
    }
    this.eventTimes();
    return b;
  }

  /**
   * A log that holds only the end of a failed build (no vertex at all): the excerpt's ` > name:`
   * lines name the failed steps, and their log lines are the steps' output.
   */
  private excerptSteps(): void {
    const b = this.build;
    const lines = b.errorExcerpt;
    const failed: Step[] = [];
    for (let i = 0; i < lines.length; i++) {
      const head = lines[i]!;
      if (!head.startsWith(' > ') || !head.endsWith(':') || (i > 0 && lines[i - 1] !== LOG_DASHES && !head.startsWith(' > ['))) continue;
      const name = head.slice(3, -1).trim();
      if (name === '') continue;
      const step = newStep('', name);
      let number: string | null = null;
      for (i++; i < lines.length && lines[i] !== LOG_DASHES; i++) {
        const m = EXCERPT_LOG_PREFIX.exec(lines[i]!);
        const cut = m?.[0].length ?? 0;
        if (m?.[1] !== undefined && m[1] !== '0') number ??= m[1];
        pushOutput(step, lines[i]!.slice(cut));
      }
      // BuildKit 0.10–0.11 prefix the lines with the vertex's `#N`; otherwise no number is known.
      step.id = number ?? `excerpt-${failed.length + 1}`;
      nameStep(step, name);
      step.status = 'error';
      failed.push(step);
      b.steps.push(step);
    }
    const only = failed.length === 1 ? failed[0] : undefined;
    // The step's own error is the final error without the solver's prefixes.
    if (only && b.error) only.error = unescapeGo(b.error.replace(SOLVER_PREFIX, ''));
  }

  /**
   * `[web 2/4]`: one bare word is a stage, unless the log shows it is a target elsewhere
   * (`[web internal] …`, `[web] exporting to image`, `[web builder 2/4]`). Then compose v1's target.
   */
  private settleTargets(): void {
    const steps = this.build.steps;
    const targets = new Set<string>();
    for (const s of steps) if (s.target !== null) targets.add(s.target);
    if (targets.size > 0) {
      for (const s of steps) {
        if (s.target === null && s.stage !== null && targets.has(s.stage)) {
          s.target = s.stage;
          s.stage = null;
        }
      }
    }
    const target = this.target;
    if (target !== null) for (const s of steps) s.target ??= target;
  }

  /** BuildKit v0.3–v0.4 event times: relative to the earliest start, and the build's clock. */
  private eventTimes(): void {
    let base = Infinity;
    let last = -Infinity;
    for (const v of this.all) {
      if (v.absStart !== null) {
        base = Math.min(base, v.absStart);
        last = Math.max(last, v.absStart);
      }
      if (v.absEnd !== null) last = Math.max(last, v.absEnd);
    }
    if (base === Infinity) return;
    for (const v of this.all) {
      if (v.absStart !== null) v.step.startMs = Math.round(v.absStart - base);
      if (v.absEnd !== null) v.step.endMs = Math.round(v.absEnd - base);
    }
    this.build.startedAt = new Date(Math.floor(base)).toISOString();
    this.build.durationMs = Math.round(last - base);
  }

  // --- vertex lines ----------------------------------------------------------------------------

  private vertexLine(n: number, text: string, p: number, atMs: number | undefined): void {
    const wasBlank = this.afterBlank;
    this.afterBlank = false;
    this.inSummary = false;
    this.sinceWarning = Infinity;
    this.checkWarning = null;
    if (n === 0) {
      // `#0` is never a vertex: the builder line, or excerpt lines of BuildKit 0.10–0.11.
      const m = BUILDER_LINE.exec(text.slice(p));
      if (m) {
        if (this.build.steps.length > 0) {
          this.split = true; // the next `docker buildx build`
          return;
        }
        this.build.builder.name = ownString(m[1] ?? '');
        this.build.builder.driver = ownString(m[2] ?? '');
      }
      return;
    }
    let v = n === this.lastNumber ? this.lastVertex : (this.vertexes.get(n) ?? null);
    const kind = this.classify(text, p);
    if (v === null) {
      // A number first seen on a log, end, event or status line (a paste that starts inside the
      // vertex): a step with a placeholder name, and the line applied as what it is.
      const headerless = kind !== K_OTHER || isStatusShape(text, p);
      v = this.createVertex(n, headerless ? `#${n} ${HEADERLESS_NAME}` : text.slice(p));
      v.headerless = headerless;
      if (atMs !== undefined) this.startAt(v, atMs);
      if (!headerless) return;
    } else {
      if (v.headerless && wasBlank && kind === K_OTHER && HEADER_SHAPE.test(text.slice(p))) {
        // The header of a vertex first seen without one: it names the step (and is read below as
        // the header printed again).
        const name = ownString(text.slice(p));
        v.header = name;
        v.headerless = false;
        this.applyName(v, name);
      } else if (wasBlank && kind === K_OTHER) {
        // A header of a number already seen: the next build, another target's name for a shared
        // vertex, or the vertex running again.
        if (this.startsNextBuild(n, text, p)) {
          this.split = true;
          return;
        }
        if (!isName(text, p, v.header)) v = this.bracketAlias(n, v, text, p) ?? v;
      }
      if (v.startAt === null && atMs !== undefined) this.startAt(v, atMs);
      if (wasBlank && kind === K_OTHER && isName(text, p, v.header)) {
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
        else if (isCacheVertexName(step.name)) this.cacheStatus(step.id, text.slice(p));
        return;
      case K_MORE:
        if (v.dirty) this.compact(v);
        return;
      case K_WARN:
        this.warnLine(step.id, text.slice(p + 5));
        return;
      case K_EVENT:
        this.eventLine(v, text.slice(this.logStart));
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
      case CH_SPACE:
        return this.classifyEvent(text, p);
    }
    return K_OTHER;
  }

  /** BuildKit v0.3–v0.4: `#2      started: 2019-01-15 10:16:28.5 +0000 UTC` (the key right-aligned). */
  private classifyEvent(text: string, p: number): number {
    const colon = p + EVENT_KEY_WIDTH - 1;
    if (colon + 1 >= text.length || text.charCodeAt(colon) !== 58 || text.charCodeAt(colon + 1) !== CH_SPACE) return K_OTHER;
    let k = p;
    while (k < colon && text.charCodeAt(k) === CH_SPACE) k++;
    const key = EVENT_KEYS.get(text.slice(k, colon));
    if (key === undefined) return K_OTHER;
    this.eventKey = key;
    this.logStart = colon + 2;
    return K_EVENT;
  }

  /** One v0.3–v0.4 event: the only way those logs say a vertex started, ended, was cached or failed. */
  private eventLine(v: Vertex, value: string): void {
    const step = v.step;
    switch (this.eventKey) {
      case E_NAME: {
        // The header may be the cut name; the event holds it whole.
        const full = unquoteGo(value);
        if (v.headerless && full !== '') {
          v.headerless = false;
          v.header = ownString(full);
          this.applyName(v, v.header);
          return;
        }
        if (full !== step.name && isTruncatedName(step.name) && full.startsWith(step.name.slice(0, -3))) this.applyName(v, ownString(full));
        return;
      }
      case E_STARTED: {
        const t = parseGoTime(value);
        if (t === null) return;
        if (v.absEnd !== null || step.status !== 'incomplete') {
          // Started again: the last run wins.
          step.status = 'incomplete';
          step.durationMs = null;
          step.endMs = null;
          step.error = null;
          v.absEnd = null;
        }
        v.absStart = t;
        return;
      }
      case E_COMPLETED: {
        const t = parseGoTime(value);
        if (t === null) return; // cut mid-time
        v.absEnd = t;
        if (step.status === 'incomplete') step.status = 'done';
        step.durationMs = v.absStart === null ? null : Math.max(0, Math.round(t - v.absStart));
        if (v.dirty) this.compact(v);
        this.shareEnd(v);
        return;
      }
      case E_DURATION: {
        const ms = parseGoDuration(value);
        if (ms !== null && step.status !== 'incomplete' && step.status !== 'cached') step.durationMs = Math.round(ms);
        return;
      }
      case E_CACHED:
        if (value.trim() === 'true') {
          step.status = 'cached';
          step.durationMs = 0;
          this.shareEnd(v);
        }
        return;
      case E_ERROR: {
        const message = unquoteGo(value);
        if (message === '') return;
        if (message.endsWith('context canceled')) {
          step.status = 'canceled';
        } else {
          step.status = 'error';
          step.error = ownString(message);
        }
        this.shareEnd(v);
        return;
      }
    }
  }

  /**
   * A header of an existing number opens the next build when it is one of a build's first vertexes
   * and the build before has ended: its final error was printed, or every vertex ended and some
   * Dockerfile step or export ran (BuildKit re-prints `[internal] load .dockerignore` within a build).
   */
  private startsNextBuild(n: number, text: string, p: number): boolean {
    const b = this.build;
    if (b.steps.length === 0) return false;
    if (this.excerpt === X_CLOSED) return true; // nothing of a build comes after its final error
    if (n >= this.maxNumber || !OPENING_VERTEX.test(text.slice(p))) return false;
    let ended = false;
    for (const s of b.steps) {
      if (s.status === 'incomplete') return false;
      if (!ended && (!s.internal || EXPORT_VERTEX.test(s.name))) ended = true;
    }
    return ended;
  }

  /**
   * bake and compose share one vertex between targets and print it under each: `#7 [web 1/4] FROM x`,
   * later `#7 [api 1/4] FROM x`. The same text after another bracket is another step (`7@api`).
   */
  private bracketAlias(n: number, v: Vertex, text: string, p: number): Vertex | null {
    const header = v.header;
    if (text.charCodeAt(p) !== CH_BRACKET || header.charCodeAt(0) !== CH_BRACKET) return null;
    const close = text.indexOf(']', p);
    const headerClose = header.indexOf(']');
    if (close < 0 || headerClose < 0 || text.length - close !== header.length - headerClose || !text.startsWith(header.slice(headerClose), close)) return null;
    const name = text.slice(p);
    const siblings = v.siblings ?? [v];
    v.siblings = siblings;
    for (const s of siblings) {
      if (s.header === name) {
        this.vertexes.set(n, s);
        return s;
      }
    }
    let id = `${n}@${name.slice(1, close - p).trim().split(/\s+/)[0] ?? ''}`;
    if (siblings.some((s) => s.step.id === id)) id += `-${siblings.length}`;
    const alias = this.createVertex(n, name, id);
    alias.siblings = siblings;
    siblings.push(alias);
    return alias;
  }

  /** A shared vertex ended: its other names that never printed their own end share it. */
  private shareEnd(v: Vertex): void {
    if (v.siblings === null) return;
    const from = v.step;
    for (const s of v.siblings) {
      const step = s.step;
      if (s === v || step.status !== 'incomplete') continue;
      step.status = from.status;
      step.durationMs = from.durationMs;
      step.endMs = from.endMs;
      step.error = from.error;
      s.absEnd = v.absEnd;
    }
  }

  private createVertex(n: number, rawName: string, id = String(n)): Vertex {
    const name = ownString(rawName);
    const v: Vertex = {
      step: newStep(id, name),
      header: name,
      absStart: null,
      absEnd: null,
      siblings: null,
      isContext: false,
      headerless: false,
      contextBytes: null,
      startAt: null,
      dirty: false,
    };
    this.applyName(v, name);
    this.vertexes.set(n, v);
    this.all.push(v);
    if (n > this.maxNumber) this.maxNumber = n;
    this.build.steps.push(v.step);
    this.lastNumber = n;
    this.lastVertex = v;
    return v;
  }

  /** Name a step and read its parts from the name. */
  private applyName(v: Vertex, name: string): void {
    const parts = nameStep(v.step, name);
    v.isContext = parts.internal && name.endsWith('internal] load build context');
  }

  /** The header printed again: after an end line this means the vertex runs again. */
  private restart(v: Vertex): void {
    this.lastNumber = Number.parseInt(v.step.id, 10);
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
    this.shareEnd(v);
  }

  private compact(v: Vertex): void {
    const out = v.step.output;
    for (let i = 0; i < out.length; i++) out[i] = ownString(out[i]!);
    v.dirty = false;
  }

  /** `writing layer sha256:… 0.2s done` on a cache import or export vertex. */
  private cacheStatus(stepId: string, text: string): void {
    const status = readCacheStatusLine(text);
    if (status) this.cacheStatuses.add(stepId, status.text, status.durationMs, status.done);
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

  private addWarning(message: string, stepId: string | null, line: number | null): BuildWarning | null {
    if (this.build.warnings.length >= MAX_WARNINGS) return null;
    const w: BuildWarning = { message: ownString(message), stepId, line };
    this.build.warnings.push(w);
    return w;
  }

  // --- top-level lines -------------------------------------------------------------------------

  private topLine(raw: string): void {
    let text = raw;
    if (raw.indexOf('\u001b') >= 0 || raw.indexOf('\u00b7[') >= 0) text = raw.replace(ANSI, '');
    // Blank or not, a line outside the vertexes ends a block: the next `#N` line is a header.
    this.afterBlank = true;
    if (isBlank(text)) return;
    if (text.charCodeAt(0) === CH_B && text.startsWith('Building ') && COMPOSE_SERVICE.test(text.slice(9))) {
      // docker compose v1 names the service before each build.
      if (this.build.steps.length > 0) {
        this.split = true;
        return;
      }
      this.target = ownString(text.slice(9));
      return;
    }
    if (this.excerpt === X_CLOSED) {
      if (this.bareError && (text.startsWith('ERROR: ') || text.startsWith('error: '))) {
        this.build.error = ownString(text.slice(7).trim());
        this.bareError = false;
      }
      return;
    }
    this.sinceWarning++;
    const check = this.checkWarning;
    if (check !== null) {
      // `docker build --check`: the rule's description, then `Dockerfile:139`, then the snippet.
      this.checkWarning = null;
      const fileLine = SNIPPET_FILE.test(text);
      if (this.sinceWarning === 1 && !fileLine && !text.startsWith('WARNING: ')) {
        check.message = ownString(`${check.message}: ${text.trim()}`);
        this.checkWarning = check;
        return;
      }
      if (fileLine) {
        check.line = Number(text.slice(text.lastIndexOf(':') + 1));
        return;
      }
    }

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
    const c0 = text.charCodeAt(0);
    if ((c0 === CH_LOWER_F || c0 === CH_LOWER_E) && BARE_FINAL_ERROR.test(text)) {
      this.build.error = ownString(text.trim());
      this.excerpt = X_CLOSED;
      return;
    }
    if (text.startsWith('WARNING: ')) {
      const m = CHECK_WARNING.exec(text.trimEnd());
      // A `--check` warning is named by its rule until its description shows (the URL is dropped).
      this.checkWarning = this.addWarning(m ? m[1]! : text.slice(9).trim(), null, null);
      if (!m) this.checkWarning = null;
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
    if ((this.excerpt === X_NONE || this.excerpt === X_BETWEEN) && text.startsWith(' > [') && text.endsWith(':')) {
      // An excerpt block whose opening `------` the paste lost: ` > [3/7] RUN make:` names the vertex.
      this.blockUndoLength = this.build.errorExcerpt.length;
      this.blockUndoState = this.excerpt;
      this.blockLines = 1;
      this.pushExcerpt(text);
      this.excerpt = X_LOGS;
      return;
    }
    if (this.excerpt === X_BETWEEN) {
      if (endsWithLineNumber(text)) {
        this.pushExcerpt(text); // `Dockerfile:52`, before its snippet
        return;
      }
      // After the excerpt comes the final error; old buildx printed it without `ERROR:` (`exit code 1`).
      this.build.error = ownString(text.trim());
      this.bareError = true;
      this.excerpt = X_CLOSED;
      return;
    }
    this.prevTop = text;
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

/**
 * Is the rest of a `#N` line (from p) a status rather than a vertex name? Only asked of the first line
 * of a number, so a regex is fine here. A name of no known shape stays a name.
 */
function isStatusShape(text: string, p: number): boolean {
  const rest = text.slice(p);
  return !HEADER_SHAPE.test(rest) && STATUS_SHAPE.test(rest);
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** `Dockerfile:52`, `docker/app.Dockerfile:3`: a snippet's file and line. */
function endsWithLineNumber(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && isDigit(text.charCodeAt(i))) i--;
  return i < text.length - 1 && i > 0 && text.charCodeAt(i) === 58;
}

/** Is text[p..] exactly `name`? */
function isName(text: string, p: number, name: string): boolean {
  return text.length - p === name.length && text.startsWith(name, p);
}

/** A whole plain log: one PlainParser per build, a new one from the line that starts the next build. */
class PlainLogParser implements FormatParser {
  private readonly done: Build[] = [];
  private current = new PlainParser(null);
  private result: Build[] | null = null;

  line(text: string, atMs?: number): void {
    const cur = this.current;
    cur.line(text, atMs);
    if (cur.split) {
      this.done.push(cur.end(false));
      this.current = new PlainParser(null);
      this.current.line(text, atMs);
    }
  }

  /** The last build of the log. */
  end(cutMidLine: boolean): Build {
    const all = this.endAll(cutMidLine);
    return all[all.length - 1]!;
  }

  /** Every build of the log, in order. */
  endAll(cutMidLine: boolean): Build[] {
    this.result ??= [...this.done, this.current.end(cutMidLine)];
    return this.result;
  }
}

export function createPlainParser(): FormatParser & { endAll(cutMidLine: boolean): Build[] } {
  return new PlainLogParser();
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
