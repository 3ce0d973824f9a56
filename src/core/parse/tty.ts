// BuildKit's TTY progress (`--progress=tty`) captured as text (`script`, a pasted terminal, a CI that
// allocates a pty). The display redraws the whole frame, so a capture repeats every frame:
//
//   [+] Building 12.3s (5/7) FINISHED                                   docker:default
//    => [internal] load build definition from Dockerfile                          0.0s
//    => => transferring dockerfile: 210B                                          0.0s
//    => CACHED [1/4] FROM docker.io/library/busybox:latest                        0.0s
//    => ERROR [3/4] RUN make                                                      1.6s
//    => => # <the tail of a running step's output, hard-wrapped at the terminal width>
//
// Only the last frame counts; after it come, as in plain mode, the error excerpt (`------`), the
// warnings summary and the final `ERROR: …`. Rows are cut to the terminal width, so names may be cut
// short; the excerpt names a failed step in full.
//
// A capture can hold several builds (a shell loop, a script): a frame header whose timer goes down,
// or one that comes after a final error, starts the next build; endAll() gives one Build per build.
import { CacheStatusCollector, isCacheVertexName, readCacheStatusLine } from './cache-status.js';
import { OUTPUT_TAIL_LINES, emptyBuild, newStep, pushOutput, type Build, type BuildWarning, type Step } from '../model.js';
import { parseSize } from '../units.js';
import type { FormatParser } from './index.js';
import { createPlainParser } from './plain.js';
import { nameStep } from './step-name.js';

/** `[+] Building 12.3s (5/7) FINISHED` and what follows (the builder, right-aligned). */
const HEADER = /^\[\+\] \S+(?: \S+)*? (\d+(?:\.\d+)?)s \((\d+)\/(\d+)\)(.*)$/;
/** The right-hand timer column: ` %3.1fs`. */
const TIMER = /\s(\d+(?:\.\d+)?)s\s*$/;
/** A log line in the error excerpt: `0.039 text` (seconds since the step started). */
const EXCERPT_LOG = /^\d+\.\d+ /;
const MAX_FRAME_ROWS = 5000;

interface Row {
  name: string;
  marker: 'cached' | 'error' | 'canceled' | null;
  durationMs: number | null;
  output: string[];
  outputDropped: number;
  contextBytes: number | null;
  /** Statuses of a cache import or export row. */
  cacheStatuses: Array<{ text: string; durationMs: number | null; done: boolean }>;
  warnings: string[];
}

interface Frame {
  durationMs: number | null;
  finished: boolean;
  driver: string | null;
  builder: string | null;
  rows: Row[];
}

function newFrame(): Frame {
  return { durationMs: null, finished: false, driver: null, builder: null, rows: [] };
}

/** A copy that does not keep the input chunk it was sliced from alive. */
function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

class TtyParser implements FormatParser {
  private frame: Frame = newFrame();
  /** Lines after the frame (error excerpt, warnings, final error) are read as plain mode reads them. */
  private trailer: FormatParser = createPlainParser();
  private inFrame = false;
  private firstAt: number | null = null;
  /** The builds before the current one, ended. */
  private readonly done: Build[] = [];
  private result: Build[] | null = null;

  line(text: string, atMs?: number): void {
    const c = text.charCodeAt(0);
    if (c === 91 && text.startsWith('[+] ')) {
      const m = HEADER.exec(text.trimEnd());
      if (m) {
        this.header(m, atMs);
        return;
      }
    }
    if (atMs !== undefined && this.firstAt === null && Number.isFinite(atMs)) this.firstAt = atMs;
    let p = -1;
    if (c === 32 && text.startsWith(' => ')) p = 4;
    else if (c === 61 && text.startsWith('=> ')) p = 3; // a paste that lost the leading space
    if (p >= 0) {
      this.row(text, p);
      return;
    }
    if (this.inFrame && text.trim() === '') return; // the padding that overwrites a longer frame
    this.inFrame = false;
    this.trailer.line(text, atMs);
  }

  /** The last build of the capture. */
  end(cutMidLine: boolean): Build {
    const all = this.endAll(cutMidLine);
    return all[all.length - 1]!;
  }

  /** Every build of the capture, in order. */
  endAll(cutMidLine: boolean): Build[] {
    this.result ??= [...this.done, this.toBuild(this.trailer.end(false), cutMidLine)];
    return this.result;
  }

  /** The build of the current frame and the lines after it. */
  private toBuild(trailer: Build, cutMidLine: boolean): Build {
    const build = emptyBuild('tty', 'buildkit');
    const frame = this.frame;
    build.error = trailer.error;
    build.errorExcerpt = trailer.errorExcerpt;
    build.builder.name = frame.builder;
    build.builder.driver = frame.driver;
    build.durationMs = frame.durationMs;
    if (this.firstAt !== null) build.startedAt = new Date(this.firstAt).toISOString();

    // The final frame of a failed build lacks FINISHED when some steps never ran; its printed steps ended.
    const ended = frame.finished || trailer.error !== null;
    const frameWarnings: BuildWarning[] = [];
    let context: number | null = null;
    const cacheStatuses = new CacheStatusCollector();
    frame.rows.forEach((row, i) => {
      const step = this.toStep(row, i + 1, ended);
      build.steps.push(step);
      if (row.contextBytes !== null) context = (context ?? 0) + row.contextBytes;
      for (const c of row.cacheStatuses) cacheStatuses.add(step.id, c.text, c.durationMs, c.done);
      for (const w of row.warnings) frameWarnings.push({ message: own(w), stepId: step.id, line: null });
    });
    build.contextBytes = context;
    const statuses = cacheStatuses.result();
    if (statuses) build.cacheStatuses = statuses;
    // The summary after the build prints warnings in full; rows are cut to the terminal width.
    build.warnings = trailer.warnings.length > 0 ? trailer.warnings : frameWarnings;
    this.readExcerpt(build);
    const anyIncomplete = build.steps.some((s) => s.status === 'incomplete');
    build.incomplete = cutMidLine || (!ended || (anyIncomplete && build.error === null));
    return build;
  }

  private header(m: RegExpExecArray, atMs: number | undefined): void {
    const durationMs = Math.round(Number(m[1]) * 1000);
    const current = this.frame;
    if (current.rows.length > 0 || current.durationMs !== null) {
      // The timer of one build never goes down, and nothing of a build follows its final error: the
      // next build. Otherwise the new frame supersedes everything before it (trailer lines included).
      const trailer = this.trailer.end(false);
      const down = current.durationMs !== null && durationMs < current.durationMs;
      if (down || trailer.error !== null) {
        this.done.push(this.toBuild(trailer, false));
        this.firstAt = null;
      }
    }
    if (atMs !== undefined && this.firstAt === null && Number.isFinite(atMs)) this.firstAt = atMs;
    const frame = newFrame();
    frame.durationMs = durationMs;
    let rest = (m[4] ?? '').trim();
    if (rest.startsWith('FINISHED')) {
      frame.finished = true;
      rest = rest.slice(8).trim();
    }
    // buildx prints `driver:name` of the builder on the right.
    const colon = rest.indexOf(':');
    if (colon > 0 && !rest.includes(' ')) {
      frame.driver = own(rest.slice(0, colon));
      frame.builder = own(rest.slice(colon + 1)) || null;
    }
    this.frame = frame;
    this.trailer = createPlainParser();
    this.inFrame = true;
  }

  private row(text: string, p: number): void {
    this.inFrame = true;
    const rows = this.frame.rows;
    const last = rows[rows.length - 1];
    if (text.startsWith('=> ', p)) {
      // A row under a step: `=> # output` or a status (`=> => transferring context: 2B  0.0s`).
      if (!last) return;
      if (text.startsWith('# ', p + 3) || text.length === p + 4) {
        pushRowOutput(last, text.slice(p + 5).trimEnd());
        return;
      }
      const status = text.slice(p + 3);
      if (status.startsWith('transferring context: ') && last.name.endsWith('internal] load build context')) {
        const value = status.slice(22).trim().split(/\s+/)[0] ?? '';
        const bytes = parseSize(value);
        if (bytes !== null) last.contextBytes = bytes;
      } else if (isCacheVertexName(last.name)) {
        const cache = readCacheStatusLine(status.trim());
        if (cache) last.cacheStatuses.push({ ...cache, done: cache.done || cache.durationMs !== null });
      }
      return;
    }
    if (text.startsWith('WARN: ', p)) {
      if (last) last.warnings.push(text.slice(p + 6).replace(TIMER, '').trim());
      return;
    }
    if (rows.length >= MAX_FRAME_ROWS) return;
    let name = text.slice(p);
    let durationMs: number | null = null;
    const t = TIMER.exec(name);
    if (t) {
      durationMs = Math.round(Number(t[1]) * 1000);
      name = name.slice(0, t.index);
    }
    name = name.trim();
    let marker: Row['marker'] = null;
    // `CACHED ERROR x` can happen: the display adds ERROR/CANCELED first, then CACHED in front.
    for (;;) {
      if (name.startsWith('CACHED ')) {
        marker ??= 'cached';
        name = name.slice(7);
      } else if (name.startsWith('ERROR ')) {
        marker = 'error';
        name = name.slice(6);
      } else if (name.startsWith('CANCELED ')) {
        marker = 'canceled';
        name = name.slice(9);
      } else {
        break;
      }
    }
    rows.push({ name, marker, durationMs, output: [], outputDropped: 0, contextBytes: null, cacheStatuses: [], warnings: [] });
  }

  private toStep(row: Row, n: number, ended: boolean): Step {
    const step = newStep(String(n), '');
    nameStep(step, own(row.name));
    switch (row.marker) {
      case 'cached':
        step.status = 'cached';
        step.durationMs = 0;
        break;
      case 'error':
        step.status = 'error';
        step.durationMs = row.durationMs;
        break;
      case 'canceled':
        step.status = 'canceled';
        step.durationMs = row.durationMs;
        break;
      default:
        // Before the final frame (a capture cut mid-build) a printed time may be a running step's.
        if (ended && row.durationMs !== null) {
          step.status = 'done';
          step.durationMs = row.durationMs;
        }
    }
    step.output = row.output.map(own);
    step.outputDropped = row.outputDropped;
    return step;
  }

  /**
   * The excerpt names each failed step in full (` > [3/4] RUN make:`) and holds its last log lines:
   * they complete the step's cut name, its output, and its error.
   */
  private readExcerpt(build: Build): void {
    const lines = build.errorExcerpt;
    const failed = build.steps.filter((s) => s.status === 'error');
    for (let i = 0; i + 1 < lines.length; i++) {
      if (lines[i] !== '------') continue;
      const head = lines[i + 1]!;
      if (!head.startsWith(' > ') || !head.endsWith(':')) continue;
      const full = head.slice(3, -1);
      const step = failed.find((s) => full.startsWith(s.name));
      if (!step) continue;
      if (step.name !== full) nameStep(step, full);
      if (step.output.length === 0) {
        for (let j = i + 2; j < lines.length && lines[j] !== '------'; j++) pushOutput(step, lines[j]!.replace(EXCERPT_LOG, ''));
      }
      i++;
    }
    const only = failed.length === 1 ? failed[0] : undefined;
    if (only && only.error === null && build.error) {
      // The step's own error is the final error without the solver's prefix, as plain mode prints it.
      only.error = build.error
        .replace(/^(?:failed to build: )?(?:failed to solve: )?(?:failed to solve with frontend dockerfile\.v0: )?/, '')
        .replace(/\\(["\\])/g, '$1');
    }
  }
}

function pushRowOutput(row: Row, text: string): void {
  row.output.push(text);
  if (row.output.length > OUTPUT_TAIL_LINES) {
    row.output.shift();
    row.outputDropped++;
  }
}


export function createTtyParser(): FormatParser & { endAll(cutMidLine: boolean): Build[] } {
  return new TtyParser();
}
