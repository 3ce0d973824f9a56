// buildx `--progress=rawjson`: a stream of BuildKit client SolveStatus objects. buildx 0.12–0.14
// pretty-prints each object over many lines, 0.15+ writes one per line, so objects are assembled by
// brace depth, not by line. After a failure buildx prints plain text (the Dockerfile snippet and
// `ERROR: …`) below the JSON.
import { CacheStatusCollector, isCacheStatusText, isCacheVertexName, readCacheStatusLine } from './cache-status.js';
import { emptyBuild, newStep, pushOutput, OUTPUT_LINE_MAX_CHARS, OUTPUT_TAIL_LINES, type Build, type Step, type StepStatus } from '../model.js';
import type { FormatParser } from './index.js';
import { nameStep } from './step-name.js';

/** One object larger than this is not a SolveStatus message: it is dropped, not buffered. */
const MAX_OBJECT_CHARS = 32 * 1024 * 1024;
/** A log line longer than this without a newline keeps only its head (the tail would be cut anyway). */
const MAX_PARTIAL_CHARS = 64 * 1024;
const MAX_EXCERPT_LINES = 200;
const MAX_WARNINGS = 1000;

interface Vertex {
  digest: string;
  name: string;
  inputs: string[];
  /** The raw `started` of the latest run: two runs can start within the same millisecond. */
  startedRaw: string | null;
  started: number | null;
  completed: number | null;
  cached: boolean;
  error: string | null;
  isContext: boolean;
  contextBytes: number | null;
  /** Filled in at the end. */
  step: Step;
  /** The last OUTPUT_TAIL_LINES output lines, a ring starting at tailHead; replayed into step.output at the end. */
  tail: string[];
  tailHead: number;
  /** Complete output lines seen. */
  lines: number;
  /** The output line still open (a log chunk can end mid-line). */
  partial: string;
  /** The open line outgrew MAX_PARTIAL_CHARS: its head is kept, the rest ignored until the newline. */
  partialCut: boolean;
  /** The bytes of a UTF-8 character split across two log chunks. */
  utf8Carry: Buffer | null;
}

interface PendingWarning {
  digest: string | null;
  message: string;
  line: number | null;
}

// Loose shapes of what JSON.parse returns; every field is checked before use.
interface RawVertex { digest?: unknown; name?: unknown; inputs?: unknown; started?: unknown; completed?: unknown; cached?: unknown; error?: unknown }
interface RawStatus { id?: unknown; vertex?: unknown; current?: unknown; started?: unknown; completed?: unknown }
interface RawLog { vertex?: unknown; data?: unknown }
interface RawWarning { vertex?: unknown; short?: unknown; range?: unknown }
interface RawMessage { vertexes?: unknown; statuses?: unknown; logs?: unknown; warnings?: unknown }

const enum Mode { Idle, Indented, Depth }
const enum LogsState { Off, ExpectLogs, InArray, InEntry, AfterArray, StatusesOnly }

const ERROR_LINE = /^(?:ERROR|error): (.*)$/;
const WARNINGS_FOUND = /^\s*\d+ warnings? found\b/;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function createRawJsonParser(): FormatParser {
  const build = emptyBuild('rawjson', 'buildkit');
  const vertexes = new Map<string, Vertex>();
  const cacheStatuses = new CacheStatusCollector();
  const warnings: PendingWarning[] = [];
  let minStart = Infinity;
  /**
   * The start of the first vertex the stream reports: the build's start. BuildKit shares identical
   * vertexes between concurrent builds (another build's `FROM` of the same image, even under that
   * build's name) and reports them later with that build's older times: those do not start this build.
   */
  let firstStart = Infinity;
  let maxEnd = -Infinity;

  // Object assembly. IDLE: between objects; INDENTED: an object Go's encoder indented (it started with
  // a `{` line and ends at a `}` line: nested braces are always indented); DEPTH: any other layout, read
  // by brace depth outside strings.
  let mode: Mode = Mode.Idle;
  let depth = 0;
  let inString = false;
  /** The lines of the object being assembled: parts[0..partCount), the array is reused. */
  const parts: string[] = [];
  let partCount = 0;
  let partChars = 0;
  let discarding = false;
  // An indented `{"logs": […]}` is read line by line as it comes (see readLogsLine).
  let logsState = LogsState.Off;
  let entryVertex: string | null = null;
  let entryData: string | null = null;
  const pendingVertexes: string[] = [];
  const pendingData: string[] = [];

  // Trailing text state.
  let sawObject = false;
  let sawErrorLine = false;
  let inWarningSummary = false;

  /**
   * A one-line statuses message that cannot hold a build-context transfer: statuses only matter for
   * that, so it need not be parsed. (A false "maybe" only costs a full parse.)
   */
  function skippableStatuses(json: string): boolean {
    if (!json.startsWith('{"statuses":[')) return false;
    if (json.includes('transferring context') || json.includes('"logs"') || json.includes('"warnings"') || mayHoldCacheStatus(json)) return false;
    sawObject = true;
    return true;
  }

  let lastVertex: Vertex | null = null;

  function vertexFor(digest: string): Vertex {
    if (lastVertex !== null && lastVertex.digest === digest) return lastVertex;
    let v = vertexes.get(digest);
    if (!v) {
      v = {
        digest: unpin(digest), name: '', inputs: [], startedRaw: null, started: null, completed: null, cached: false,
        error: null, isContext: false, contextBytes: null, step: newStep('', ''), tail: [], tailHead: 0, lines: 0,
        partial: '', partialCut: false, utf8Carry: null,
      };
      vertexes.set(digest, v);
    }
    lastVertex = v;
    return v;
  }

  function onVertex(raw: RawVertex): void {
    if (typeof raw.digest !== 'string') return;
    const v = vertexFor(raw.digest);
    if (typeof raw.name === 'string' && raw.name !== v.name) {
      v.name = raw.name;
      v.isContext = raw.name.startsWith('[') && raw.name.endsWith('internal] load build context');
    }
    if (Array.isArray(raw.inputs)) v.inputs = raw.inputs.filter((d): d is string => typeof d === 'string');
    const startedRaw = typeof raw.started === 'string' ? raw.started : null;
    const started = parseTime(startedRaw);
    const completed = parseTime(raw.completed);
    const error = typeof raw.error === 'string' && raw.error !== '' ? raw.error : null;
    const cached = raw.cached === true;
    if (completed !== null && completed > maxEnd) maxEnd = completed;
    if (started !== null) {
      if (started < minStart) minStart = started;
      if (firstStart === Infinity) firstStart = started;
      if (v.started === null || started > v.started || (started === v.started && startedRaw !== v.startedRaw)) {
        // A new run (a vertex can start again after completing): the last run wins.
        v.startedRaw = startedRaw;
        v.started = started;
        v.completed = completed;
        v.cached = cached;
        v.error = error;
        return;
      }
      if (started < v.started) return; // a late update of an older run
    }
    if (completed !== null && (v.completed === null || completed > v.completed)) v.completed = completed;
    if (cached) v.cached = true;
    if (error !== null) v.error = error;
  }

  function onStatus(raw: RawStatus): void {
    if (typeof raw.vertex !== 'string') return;
    if (typeof raw.id === 'string' && isCacheStatusText(raw.id)) {
      const cv = vertexes.get(raw.vertex);
      if (cv && isCacheVertexName(cv.name)) {
        const started = parseTime(raw.started);
        const completed = parseTime(raw.completed);
        const text = readCacheStatusLine(raw.id)?.text ?? raw.id;
        cacheStatuses.add(raw.vertex, text, started !== null && completed !== null ? Math.max(0, completed - started) : null, completed !== null);
      }
    }
    if (typeof raw.current !== 'number') return;
    const v = vertexes.get(raw.vertex);
    // `[internal] load .dockerignore` also reports `transferring context:`; only the build context counts.
    if (v?.isContext && typeof raw.id === 'string' && raw.id.startsWith('transferring context')) v.contextBytes = raw.current;
  }

  function onLog(raw: RawLog): void {
    if (typeof raw.vertex !== 'string' || typeof raw.data !== 'string' || raw.data === '') return;
    const v = vertexFor(raw.vertex);
    appendOutput(v, decodeLog(v, raw.data));
  }

  /**
   * Most of a big log is `{"logs":[…]}` messages: read those with indexOf instead of JSON.parse. Any
   * other shape, or an escape anywhere, returns false and the caller parses the JSON properly.
   */
  function fastLogs(s: string): boolean {
    let i = skipSpace(s, 0);
    if (s.charCodeAt(i) !== 123) return false;
    i = skipSpace(s, i + 1);
    if (!s.startsWith('"logs"', i)) return false;
    if (s.indexOf('\\', i) >= 0) return false;
    i = skipSpace(s, i + 6);
    if (s.charCodeAt(i) !== 58) return false;
    i = skipSpace(s, i + 1);
    if (s.charCodeAt(i) !== 91) return false;
    i = skipSpace(s, i + 1);
    fastVertexes.length = 0;
    fastData.length = 0;
    if (s.charCodeAt(i) !== 93) {
      for (;;) {
        if (s.charCodeAt(i) !== 123) return false;
        i = skipSpace(s, i + 1);
        let vertex: string | null = null;
        let data: string | null = null;
        if (s.charCodeAt(i) !== 125) {
          for (;;) {
            if (s.charCodeAt(i) !== 34) return false;
            const keyEnd = s.indexOf('"', i + 1);
            if (keyEnd < 0) return false;
            const keyStart = i + 1;
            i = skipSpace(s, keyEnd + 1);
            if (s.charCodeAt(i) !== 58) return false;
            i = skipSpace(s, i + 1);
            const c = s.charCodeAt(i);
            if (c === 34) {
              const end = s.indexOf('"', i + 1);
              if (end < 0) return false;
              const keyLen = keyEnd - keyStart;
              if (keyLen === 6 && s.startsWith('vertex', keyStart)) vertex = s.slice(i + 1, end);
              else if (keyLen === 4 && s.startsWith('data', keyStart)) data = s.slice(i + 1, end);
              i = end + 1;
            } else if (c === 45 || (c >= 48 && c <= 57)) {
              i++;
              for (;;) {
                const d = s.charCodeAt(i);
                if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) i++;
                else break;
              }
            } else {
              return false;
            }
            i = skipSpace(s, i);
            const sep = s.charCodeAt(i);
            if (sep === 44) {
              i = skipSpace(s, i + 1);
              continue;
            }
            if (sep === 125) break;
            return false;
          }
        }
        i = skipSpace(s, i + 1);
        if (vertex !== null && data !== null && data !== '') {
          fastVertexes.push(vertex);
          fastData.push(data);
        }
        const sep = s.charCodeAt(i);
        if (sep === 44) {
          i = skipSpace(s, i + 1);
          continue;
        }
        if (sep === 93) break;
        return false;
      }
    }
    i = skipSpace(s, i + 1);
    if (s.charCodeAt(i) !== 125 || skipSpace(s, i + 1) !== s.length) return false;
    sawObject = true;
    for (let k = 0; k < fastVertexes.length; k++) {
      const v = vertexFor(fastVertexes[k]!);
      appendOutput(v, decodeLog(v, fastData[k]!));
    }
    return true;
  }
  const fastVertexes: string[] = [];
  const fastData: string[] = [];

  function onWarning(raw: RawWarning): void {
    if (typeof raw.short !== 'string' || warnings.length >= MAX_WARNINGS) return;
    const message = Buffer.from(raw.short, 'base64').toString('utf8').trim();
    if (message === '') return;
    let line: number | null = null;
    if (Array.isArray(raw.range)) {
      const first: unknown = raw.range[0];
      const start: unknown = isObject(first) ? first['start'] : undefined;
      const l: unknown = isObject(start) ? start['line'] : undefined;
      if (typeof l === 'number' && Number.isInteger(l) && l > 0) line = l;
    }
    warnings.push({ digest: typeof raw.vertex === 'string' ? raw.vertex : null, message, line });
  }

  function onMessage(msg: unknown): void {
    if (!isObject(msg)) return;
    sawObject = true;
    const m = msg as RawMessage;
    if (Array.isArray(m.vertexes)) for (const x of m.vertexes) if (isObject(x)) onVertex(x as RawVertex);
    if (Array.isArray(m.statuses)) for (const x of m.statuses) if (isObject(x)) onStatus(x as RawStatus);
    if (Array.isArray(m.logs)) for (const x of m.logs) if (isObject(x)) onLog(x as RawLog);
    if (Array.isArray(m.warnings)) for (const x of m.warnings) if (isObject(x)) onWarning(x as RawWarning);
  }

  function emitObject(json: string): void {
    if (fastLogs(json) || skippableStatuses(json)) return;
    const msg = tryParse(json);
    if (msg !== undefined) onMessage(msg); // a malformed object is skipped
  }

  function resetObject(): void {
    mode = Mode.Idle;
    depth = 0;
    inString = false;
    partCount = 0;
    partChars = 0;
    discarding = false;
    logsState = LogsState.Off;
  }

  function joinParts(): string {
    const json = partCount === parts.length ? parts.join('') : parts.slice(0, partCount).join('');
    partCount = 0;
    if (parts.length > 1024) parts.length = 0; // do not hold on to the lines of a huge object
    return json;
  }

  /** Keep a line of an object being assembled, unless the object has grown past any real message. */
  function keep(text: string): void {
    if (discarding) return;
    partChars += text.length;
    if (partChars > MAX_OBJECT_CHARS) {
      partCount = 0;
      parts.length = 0;
      discarding = true;
      logsState = LogsState.Off;
      return;
    }
    parts[partCount++] = text;
  }

  function onText(raw: string): void {
    const text = raw.includes('\x1b') ? raw.replace(ANSI, '') : raw;
    if (text.trim() === '') {
      inWarningSummary = false;
      return;
    }
    const err = ERROR_LINE.exec(text);
    if (err) {
      if (build.error === null) build.error = unpin(err[1]!.trim());
      sawErrorLine = true;
      return;
    }
    // Before the first object: the command line a user pasted; after the error: wrapper noise.
    if (!sawObject || sawErrorLine) return;
    if (WARNINGS_FOUND.test(text)) {
      inWarningSummary = true;
      return;
    }
    if (inWarningSummary && /^\s*- /.test(text)) return;
    inWarningSummary = false;
    if (text.startsWith('WARNING: ') || text.startsWith('WARN[') || text.startsWith('View build details:')) return;
    if (build.errorExcerpt.length < MAX_EXCERPT_LINES) build.errorExcerpt.push(unpin(raw));
  }

  function line(text: string): void {
    if (mode === Mode.Indented) {
      indentedLine(text);
      return;
    }
    if (mode === Mode.Depth) {
      // Inside an object every line is indented, so `{` or a word at column 0 means the object was
      // cut off: resynchronise on this line.
      const c0 = text.charCodeAt(0);
      if (c0 === 123 || isLetter(c0)) {
        resetObject();
        line(text);
        return;
      }
      scanLine(text, 0);
      return;
    }
    if (text === '{') {
      // buildx 0.12–0.14: json.MarshalIndent(v, "", "  ")
      mode = Mode.Indented;
      parts[0] = '{';
      partCount = 1;
      partChars = 1;
      logsState = LogsState.ExpectLogs;
      pendingVertexes.length = 0;
      pendingData.length = 0;
      return;
    }
    const n = text.length;
    let i = 0;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i === n || text.charCodeAt(i) !== 123) {
      onText(text);
      return;
    }
    // buildx ≥ 0.15: one object per line. A line that looks whole is parsed straight away.
    let e = n - 1;
    while (e > i && isSpace(text.charCodeAt(e))) e--;
    if (text.charCodeAt(e) === 125) {
      const json = i === 0 && e === n - 1 ? text : text.slice(i, e + 1);
      if (fastLogs(json) || skippableStatuses(json)) return;
      const msg = tryParse(json);
      if (msg !== undefined) {
        onMessage(msg);
        return;
      }
    }
    scanLine(text, i);
  }

  function indentedLine(text: string): void {
    if (text === '}') {
      const wasDiscarding = discarding;
      const state = logsState;
      const count = partCount;
      resetObject();
      if (wasDiscarding) return;
      if (state === LogsState.AfterArray) {
        sawObject = true;
        for (let k = 0; k < pendingVertexes.length; k++) {
          const v = vertexFor(pendingVertexes[k]!);
          appendOutput(v, decodeLog(v, pendingData[k]!));
        }
        return;
      }
      if (state === LogsState.StatusesOnly) {
        sawObject = true; // statuses only matter for the build context, and this one has none
        return;
      }
      partCount = count;
      keep('}');
      const json = joinParts();
      if (fastLogs(json)) return;
      const msg = tryParse(json);
      if (msg !== undefined) {
        onMessage(msg);
        return;
      }
      // Not Go's layout after all (a nested `}` at column 0?): read what came by brace depth.
      scanLine(json, 0);
      return;
    }
    const c0 = text.charCodeAt(0);
    if (c0 === 123 || isLetter(c0)) {
      resetObject(); // cut off: a new object or plain text starts here
      line(text);
      return;
    }
    keep(text);
    if (logsState !== LogsState.Off) readLogsLine(text);
  }

  /**
   * Read one line of an indented logs message (Go's layout, 2-space indent) without waiting for the
   * whole object; anything unexpected turns this off and the object is JSON.parse'd at its end.
   */
  function readLogsLine(text: string): void {
    switch (logsState) {
      case LogsState.ExpectLogs:
        logsState = text === '  "logs": [' ? LogsState.InArray : text === '  "statuses": [' ? LogsState.StatusesOnly : LogsState.Off;
        return;
      case LogsState.StatusesOnly:
        // Another top-level key (logs, warnings) or a context transfer: read the object in full.
        if (text.startsWith('  "') || text.startsWith('      "id": "transferring context') || (text.startsWith('      "id": "') && isCacheStatusText(text.slice(13)))) logsState = LogsState.Off;
        return;
      case LogsState.InArray:
        if (text === '    {') {
          entryVertex = null;
          entryData = null;
          logsState = LogsState.InEntry;
        } else {
          logsState = text === '  ]' ? LogsState.AfterArray : LogsState.Off;
        }
        return;
      case LogsState.InEntry:
        if (text === '    }' || text === '    },') {
          if (entryVertex !== null && entryData !== null && entryData !== '') {
            pendingVertexes.push(entryVertex);
            pendingData.push(entryData);
          }
          logsState = LogsState.InArray;
        } else if (text.startsWith('      "vertex": "')) {
          entryVertex = stringValue(text, 17);
          if (entryVertex === null) logsState = LogsState.Off;
        } else if (text.startsWith('      "data": "')) {
          entryData = stringValue(text, 15);
          if (entryData === null) logsState = LogsState.Off;
        } else if (!text.startsWith('      "') || text.endsWith('{') || text.endsWith('[')) {
          logsState = LogsState.Off;
        }
        return;
      default:
        logsState = LogsState.Off;
    }
  }

  /** Track brace depth outside strings from `from`; emit each object that closes. */
  function scanLine(text: string, from: number): void {
    const n = text.length;
    let i = from;
    let objStart = from;
    while (i < n) {
      if (inString) {
        // Jump to the closing quote; a quote preceded by an odd run of backslashes is escaped.
        const strFrom = i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            i = n;
            break;
          }
          let b = q - 1;
          while (b >= strFrom && text.charCodeAt(b) === 92) b--;
          i = q + 1;
          if ((q - 1 - b) % 2 === 0) {
            inString = false;
            break;
          }
        }
        continue;
      }
      const c = text.charCodeAt(i++);
      if (c === 34) inString = true;
      else if (c === 123) depth++;
      else if (c === 125 && depth > 0) {
        depth--;
        if (depth === 0) {
          const piece = objStart === 0 && i === n ? text : text.slice(objStart, i);
          const wasDiscarding = discarding;
          const json = partCount > 0 ? joinParts() + piece : piece;
          resetObject();
          if (!wasDiscarding) emitObject(json);
          // Another object may follow on the same line; anything else after an object is ignored.
          while (i < n && isSpace(text.charCodeAt(i))) i++;
          if (i < n && text.charCodeAt(i) === 123) objStart = i;
          else return;
        }
      }
    }
    if (depth === 0) {
      mode = Mode.Idle;
      return;
    }
    mode = Mode.Depth;
    // The string state never crosses a line in valid JSON; do not let a broken line poison the rest.
    inString = false;
    keep(objStart === 0 ? text : text.slice(objStart));
  }

  return {
    line,
    end(): Build {
      if (mode !== Mode.Idle) build.incomplete = true; // cut mid-object
      resetObject();
      finish(build, vertexes, warnings, Math.max(minStart, Number.isFinite(firstStart) ? firstStart : minStart), maxEnd, cacheStatuses);
      return build;
    },
  };
}

/** Parse a whole rawjson log held in memory. */
export function parseRawJsonLog(text: string): Build {
  const p = createRawJsonParser();
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    p.line(text.slice(start, end));
    start = nl + 1;
  }
  const cut = start < text.length;
  if (cut) p.line(text.slice(start).replace(/\r$/, ''));
  return p.end(cut);
}

/** Positions of the last OUTPUT_TAIL_LINES + 1 newlines of a log chunk. */
const newlines = new Int32Array(OUTPUT_TAIL_LINES + 1);

/** Split a decoded log chunk into lines; only the last OUTPUT_TAIL_LINES of it can survive, so only those are cut out. */
function appendOutput(v: Vertex, chunk: string): void {
  const ring = newlines.length;
  let count = 0;
  let pos = chunk.indexOf('\n');
  while (pos >= 0) {
    newlines[count % ring] = pos;
    count++;
    pos = chunk.indexOf('\n', pos + 1);
  }
  if (count === 0) {
    addPartial(v, chunk);
    return;
  }
  const skip = Math.max(0, count - OUTPUT_TAIL_LINES);
  if (skip > 0) {
    v.lines += skip; // lines that would scroll out of the tail within this chunk anyway
    v.partial = '';
    v.partialCut = false;
  }
  for (let j = skip; j < count; j++) {
    const begin = j === 0 ? 0 : newlines[(j - 1) % ring]! + 1;
    let piece = chunk.slice(begin, newlines[j % ring]!);
    if (j === 0 && (v.partial !== '' || v.partialCut)) {
      piece = v.partialCut ? v.partial : v.partial + piece;
      v.partial = '';
      v.partialCut = false;
    }
    addLine(v, piece);
  }
  const after = newlines[(count - 1) % ring]! + 1;
  if (after < chunk.length) addPartial(v, chunk.slice(after));
}

function addLine(v: Vertex, line: string): void {
  if (v.tail.length < OUTPUT_TAIL_LINES) {
    v.tail.push(line);
  } else {
    v.tail[v.tailHead] = line;
    v.tailHead = (v.tailHead + 1) % OUTPUT_TAIL_LINES;
  }
  v.lines++;
}

function addPartial(v: Vertex, text: string): void {
  if (v.partialCut) return;
  v.partial += text;
  if (v.partial.length > MAX_PARTIAL_CHARS) {
    const cr = v.partial.lastIndexOf('\r', v.partial.length - 2);
    if (cr >= 0) v.partial = v.partial.slice(cr + 1);
    if (v.partial.length > MAX_PARTIAL_CHARS) {
      // pushOutput keeps OUTPUT_LINE_MAX_CHARS characters and an ellipsis: the head is all that shows.
      v.partial = v.partial.slice(0, OUTPUT_LINE_MAX_CHARS + 1);
      v.partialCut = true;
    }
  }
}

/** Move the output tail into the step, oldest first. */
function flushOutput(v: Vertex): void {
  if (v.utf8Carry) {
    addPartial(v, v.utf8Carry.toString('utf8'));
    v.utf8Carry = null;
  }
  if (v.partial !== '') addLine(v, v.partial);
  v.partial = '';
  const n = v.tail.length;
  for (let k = 0; k < n; k++) pushOutputLine(v.step, v.tail[(v.tailHead + k) % n]!);
  v.step.outputDropped = v.lines - n;
  v.tail = [];
}

/** A progress bar redraws with `\r`: keep what was drawn last, as a terminal would show it. */
function pushOutputLine(step: Step, raw: string): void {
  let line = raw;
  if (line.endsWith('\r')) line = line.replace(/\r+$/, '');
  const cr = line.lastIndexOf('\r');
  if (cr >= 0) line = line.slice(cr + 1);
  pushOutput(step, unpin(line));
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/** Decode a base64 log chunk; a UTF-8 character split across chunks is carried to the next one. */
function decodeLog(v: Vertex, b64: string): string {
  const carry = v.utf8Carry;
  const need = (carry ? carry.length : 0) + Math.ceil((b64.length * 3) / 4) + 4;
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
  let n = 0;
  if (carry) {
    n = carry.copy(scratch, 0);
    v.utf8Carry = null;
  }
  n += scratch.write(b64, n, 'base64');
  let end = n;
  let k = n - 1;
  while (k >= 0 && k > n - 4 && (scratch[k]! & 0xc0) === 0x80) k--;
  if (k >= 0) {
    const lead = scratch[k]!;
    const len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (len > 1 && k + len > n) end = k;
  }
  if (end < n) v.utf8Carry = Buffer.from(scratch.subarray(end, n));
  return scratch.toString('utf8', 0, end);
}

/**
 * A copy that does not keep the (large) string it was sliced from alive: V8 slices share their
 * parent, and the build model outlives the input chunks.
 */
function unpin(s: string): string {
  return (' ' + s).slice(1);
}

function tryParse(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** The string value of a `      "key": "value",` line of Go's indented JSON (one key per line), or null if it has escapes. */
function stringValue(text: string, from: number): string | null {
  let end = text.length - 1;
  if (text.charCodeAt(end) === 44) end--;
  if (end < from || text.charCodeAt(end) !== 34) return null;
  const value = text.slice(from, end);
  return value.includes('\\') ? null : value;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function skipSpace(s: string, i: number): number {
  while (isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** A one-line statuses message that may hold a cache import or export status (read in full). */
function mayHoldCacheStatus(json: string): boolean {
  return json.includes('cache') || json.includes('"writing layer');
}

function finish(build: Build, vertexes: Map<string, Vertex>, pending: PendingWarning[], minStart: number, maxEnd: number, cacheStatuses: CacheStatusCollector): void {
  const buildStart = Number.isFinite(minStart) ? minStart : null;
  const idByDigest = new Map<string, string>();
  const kept: Vertex[] = [];
  let contextBytes: number | null = null;
  for (const v of vertexes.values()) {
    // A vertex that never started (a later step of a failed build) was never run: plain shows none of it.
    if (v.started === null && v.completed === null && !v.cached && v.error === null) continue;
    kept.push(v);
    idByDigest.set(v.digest, String(kept.length));
    if (v.contextBytes !== null) contextBytes = (contextBytes ?? 0) + v.contextBytes;
  }
  for (const v of kept) {
    const step = v.step;
    step.id = idByDigest.get(v.digest)!;
    step.digest = v.digest;
    nameStep(step, v.name);
    flushOutput(v);
    step.status = statusOf(v);
    if (step.status === 'incomplete') build.incomplete = true;
    if (v.error !== null) step.error = v.error;
    if (v.started !== null && v.completed !== null && step.status !== 'incomplete') {
      step.durationMs = Math.max(0, v.completed - v.started);
    } else if (step.status === 'cached') {
      step.durationMs = 0;
    }
    if (buildStart !== null) {
      // A vertex shared with an earlier concurrent build carries its older times: clamped to this build's start.
      if (v.started !== null) step.startMs = Math.max(0, v.started - buildStart);
      if (v.completed !== null && step.status !== 'incomplete') step.endMs = Math.max(0, v.completed - buildStart);
    }
    for (const d of v.inputs) {
      const id = idByDigest.get(d);
      if (id !== undefined) step.inputs.push(id);
    }
    build.steps.push(step);
  }
  for (const w of pending) {
    build.warnings.push({ message: w.message, stepId: w.digest === null ? null : idByDigest.get(w.digest) ?? null, line: w.line });
  }
  build.contextBytes = contextBytes;
  const statuses = cacheStatuses.result((digest) => idByDigest.get(unpin(digest)));
  if (statuses) build.cacheStatuses = statuses;
  // Text below the JSON is an error excerpt only when something failed (a paste can carry other text).
  if (build.error === null && !build.steps.some((s) => s.status === 'error')) build.errorExcerpt = [];
  if (buildStart !== null) {
    build.startedAt = new Date(buildStart).toISOString();
    if (maxEnd >= buildStart) build.durationMs = maxEnd - buildStart;
  }
}

function statusOf(v: Vertex): StepStatus {
  if (v.error !== null) return v.error.includes('context canceled') || v.error === 'canceled' ? 'canceled' : 'error';
  if (v.cached) return 'cached';
  if (v.completed !== null) return 'done';
  return 'incomplete';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * Epoch ms of an RFC 3339 time, sub-millisecond digits dropped; null when absent, unparsable or Go's
 * zero time (`0001-01-01T00:00:00Z`). The common `…Z` shape is read by hand: Date.parse is slow.
 */
export function parseTime(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const n = s.length;
  if (n >= 20 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58) {
    const year = digits(s, 0, 4);
    const month = digits(s, 5, 2);
    const day = digits(s, 8, 2);
    const hour = digits(s, 11, 2);
    const minute = digits(s, 14, 2);
    const second = digits(s, 17, 2);
    if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second <= 60) {
      if (year <= 1) return null;
      let i = 19;
      let ms = 0;
      if (s.charCodeAt(i) === 46) {
        i++;
        let scale = 100;
        for (;;) {
          const c = s.charCodeAt(i);
          if (!(c >= 48 && c <= 57)) break;
          ms += (c - 48) * scale;
          scale /= 10;
          i++;
        }
        ms = Math.floor(ms);
      }
      let offsetMin = 0;
      const z = s.charCodeAt(i);
      let ok = false;
      if ((z === 90 || z === 122) && i === n - 1) ok = true;
      else if ((z === 43 || z === 45) && i === n - 6 && s.charCodeAt(i + 3) === 58) {
        const oh = digits(s, i + 1, 2);
        const om = digits(s, i + 4, 2);
        if (oh >= 0 && om >= 0) {
          offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
          ok = true;
        }
      }
      if (ok) {
        const days = daysFromCivil(year, month, day);
        return ((days * 24 + hour) * 60 + minute - offsetMin) * 60000 + second * 1000 + ms;
      }
    }
  }
  const t = Date.parse(s);
  if (Number.isNaN(t) || t <= -62135596800000) return null; // year 1 and before: Go's zero time
  return t;
}

function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
