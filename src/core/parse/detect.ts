// The one entry point for every log shape: buffer lines until the format shows, then delegate.
import type { Build } from '../model.js';
import { ParseError, type FormatParser } from './index.js';
import { createPlainParser } from './plain.js';
import { createRawJsonParser } from './rawjson.js';
import { createLegacyParser } from './legacy.js';
import { createTtyParser } from './tty.js';
import { LineCleaner, lookalikeMessage, lookalikeOf, type Lookalike } from './prefix.js';
import type { SourceFormat } from '../model.js';

/** How many meaningful lines may pass before a log that shows no known shape is refused. */
const DETECT_WINDOW = 400;

const PLAIN_LINE = /^#\d+ /;
const LEGACY_LINE = /^(Step \d+(\/\d+)? : |Sending build context to Docker daemon|DEPRECATED: The legacy builder)/;
/** A TTY frame header, or a frame row with its timer (a capture that starts mid-frame). */
const TTY_LINE = /^(?:\[\+\] Building \d|\s?=> \S.*\s\d+\.\ds\s*$)/;

/** The final error of a buildx build. */
const TAIL_ERROR = /^(?:ERROR|error): failed to (?:solve|build)\b/;
/** The warnings summary after a build: ` 12 warnings found (use docker --debug to expand):`. */
const TAIL_SUMMARY = /^\s*\d+ warnings? found \(use (?:docker )?--debug to expand\)/;
/** buildx's own warning, printed before the progress: `WARNING: No output specified with docker-container driver. …`. */
const TAIL_NO_OUTPUT = /^(?:WARNING:|WARN\[\d+\]) No output specified (?:with|for) docker-container driver/;
/** A `docker build --check` warning: `WARNING: UndefinedVar - https://docs.docker.com/go/dockerfile/rule/undefined-var/`. */
const TAIL_CHECK = /^WARNING: [A-Za-z]\w* - https:\/\/docs\.docker\.com\/go\/dockerfile\/rule\//;
/** The failed vertex named at the head of an error excerpt block: ` > [stage 3/7] RUN make:`. */
const TAIL_EXCERPT_HEAD = /^ > \[[^\]]+\] .*:$/;
/** A Dockerfile snippet row (`  52 | >>> RUN make`), its file line and dashes two lines above. */
const TAIL_SNIPPET_ROW = /^ *\d+ \|(?: |$)/;
const TAIL_SNIPPET_FILE = /^\S.*:\d+$/;

/**
 * Does this line (after `prev` and `prev2`, the meaningful lines before it) show the END of a BuildKit
 * plain build: the error excerpt, the Dockerfile snippet, the final error, the warnings summary? Such
 * a line proves nothing alone (a TTY capture or a whole build may follow, and decide the format), but
 * a log that shows no format at all and holds one of these is read as a plain log that holds only
 * the end of its build.
 */
export function isBuildTailLine(line: string, prev: string | null, prev2: string | null): boolean {
  const c = line.charCodeAt(0);
  if (c === 69 || c === 101) return TAIL_ERROR.test(line); // E, e
  if (c === 87) return TAIL_NO_OUTPUT.test(line) || TAIL_CHECK.test(line); // W
  if (c === 32) {
    if (line.startsWith(' > ')) return TAIL_EXCERPT_HEAD.test(line) || (prev === '------' && line.endsWith(':'));
  }
  if (TAIL_SUMMARY.test(line)) return true;
  return prev === '--------------------' && prev2 !== null && TAIL_SNIPPET_FILE.test(prev2) && TAIL_SNIPPET_ROW.test(line);
}

/** Which format a single line proves, or null when it proves nothing. */
export function detectLineFormat(line: string): SourceFormat | null {
  if (PLAIN_LINE.test(line)) return 'plain';
  if (line.startsWith('{')) {
    const t = line.trim();
    if (t === '{' || t.startsWith('{"vertexes"') || t.startsWith('{"statuses"') || t.startsWith('{"logs"') || t.startsWith('{"warnings"')) return 'rawjson';
  }
  if (LEGACY_LINE.test(line)) return 'legacy';
  if (TTY_LINE.test(line)) return 'tty';
  return null;
}

export function createFormatParser(format: SourceFormat): FormatParser {
  switch (format) {
    case 'plain': return createPlainParser();
    case 'rawjson': return createRawJsonParser();
    case 'legacy': return createLegacyParser();
    case 'tty': return createTtyParser();
  }
}

/**
 * A streaming parser for any supported log: `write` text chunks as they come, then `end()`.
 * Throws ParseError from `end()` when the input is not a build log.
 */
export class LogParser {
  private pending = '';
  private held: Array<[string, number | undefined]> = [];
  private parser: FormatParser | null = null;
  private sawBinary = false;
  private meaningful = 0;
  /** CI prefixes and ANSI codes come off every line before detection and parsing. */
  private readonly cleaner = new LineCleaner((text, atMs) => this.cleanLine(text, atMs));
  /** Lines seen before any format showed that look like a known non-build text. */
  private lookalikes: Partial<Record<Lookalike, number>> = {};
  /** Lines seen before any format showed that look like the end of a plain build (see isBuildTailLine). */
  private tailLines = 0;
  /** The last two meaningful lines before any format showed. */
  private prev: string | null = null;
  private prev2: string | null = null;

  constructor(private readonly forced?: SourceFormat) {
    if (forced) this.parser = createFormatParser(forced);
  }

  /** Feed a chunk of text; `atMs` is when it arrived, if known. */
  write(chunk: string, atMs?: number): void {
    if (this.sawBinary) return;
    if (chunk.includes('\u0000')) {
      this.sawBinary = true;
      return;
    }
    let text = this.pending + chunk;
    let start = 0;
    // A log without a prefix, and a chunk without ESC or `·`: nothing to clean in any of its lines.
    const bare = this.cleaner.kind === 'none' && text.indexOf('\u001b') < 0 && text.indexOf('\u00b7') < 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      if (bare) this.cleanLine(text.slice(start, end), atMs);
      else this.line(text.slice(start, end), atMs);
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  /** Feed one whole line (no line ending). */
  line(raw: string, atMs?: number): void {
    this.cleaner.line(raw, atMs);
  }

  /** A line with its CI prefix and ANSI codes removed; `atMs` is the prefix's time when it has one. */
  private cleanLine(clean: string, atMs: number | undefined): void {
    const line = clean.includes('\r') ? lastRedraw(clean) : clean;
    if (this.parser) {
      this.parser.line(line, atMs);
      return;
    }
    if (line.trim() === '') {
      this.held.push([line, atMs]);
      return;
    }
    this.meaningful++;
    const format = detectLineFormat(line);
    if (!format) {
      const kind = lookalikeOf(line);
      if (kind) this.lookalikes[kind] = (this.lookalikes[kind] ?? 0) + 1;
      if (isBuildTailLine(line, this.prev, this.prev2)) this.tailLines++;
      this.prev2 = this.prev;
      this.prev = line;
    }
    if (format) {
      this.parser = createFormatParser(format);
      for (const [l, t] of this.held) this.parser.line(l, t);
      this.held = [];
      this.parser.line(line, atMs);
      return;
    }
    // Keep a bounded window of preamble (wrapper lines before the build starts).
    this.held.push([line, atMs]);
    if (this.held.length > DETECT_WINDOW) this.held.shift();
  }

  /** Finish, and return the LAST build of the log (see endAll for every build). */
  end(): Build {
    const builds = this.endAll();
    return builds[builds.length - 1]!;
  }

  /**
   * Finish, and return every build of the log in order: one log can hold several invocations (builds
   * run one after another, compose v1 services). Never empty. Can be called more than once.
   */
  endAll(): Build[] {
    if (this.builds) return this.builds;
    if (this.sawBinary) throw new ParseError('This file is binary, not a docker build log: pass the text that `docker build` printed.');
    const cut = this.pending.length > 0;
    if (cut) this.line(this.pending);
    this.pending = '';
    this.cleaner.end();
    if (!this.parser) {
      if (this.meaningful === 0) throw new ParseError('The log is empty: pass the output of `docker build` (saved with `2>&1 | tee build.log`).');
      const lookalike = this.lookalike();
      if (lookalike) throw new ParseError(lookalikeMessage(lookalike));
      if (this.tailLines === 0) throw new ParseError('This is not a docker build log: no BuildKit `#N` lines, rawjson objects or legacy `Step N/M` lines were found.');
      // Only the end of a build (error excerpt, snippet, final error, warnings): BuildKit plain.
      this.parser = createFormatParser('plain');
      for (const [l, t] of this.held) this.parser.line(l, t);
      this.held = [];
    }
    const parser: FormatParser & { endAll?: (cutMidLine: boolean) => Build[] } = this.parser;
    const builds = typeof parser.endAll === 'function' ? parser.endAll(cut) : [parser.end(cut)];
    this.builds = builds.length > 0 ? builds : [parser.end(cut)];
    // A time of day without a date (Jenkins `17:22:33 `) times steps but cannot date the build.
    if (this.cleaner.kind === 'jenkins-time') for (const b of this.builds) b.startedAt = null;
    return this.builds;
  }

  private builds: Build[] | null = null;

  /** What a text that never showed a build format looks like, when two of its lines agree. */
  private lookalike(): Lookalike | null {
    let best: Lookalike | null = null;
    for (const [kind, n] of Object.entries(this.lookalikes) as Array<[Lookalike, number]>) {
      if (n >= 2 && (best === null || n > (this.lookalikes[best] ?? 0))) best = kind;
    }
    return best;
  }
}

const PLAIN_PREFIX = /^#\d+ (?:\d+\.\d*\s)?/;

/**
 * A bare \r inside a line is a terminal redraw (a progress bar): keep what was drawn last. A
 * BuildKit `#N 1.234 ` prefix belongs to the whole line, so it is kept in front of the last redraw.
 */
export function lastRedraw(raw: string): string {
  const trimmed = raw.replace(/\r+$/, '');
  const cr = trimmed.lastIndexOf('\r');
  if (cr < 0) return trimmed;
  const prefix = PLAIN_PREFIX.exec(trimmed)?.[0] ?? '';
  return prefix + trimmed.slice(cr + 1);
}

/** Parse a whole log held in memory. */
export function parseLog(text: string, format?: SourceFormat): Build {
  const p = new LogParser(format);
  p.write(text);
  return p.end();
}

/** Parse a whole log held in memory into every build it holds. */
export function parseLogs(text: string, format?: SourceFormat): Build[] {
  const p = new LogParser(format);
  p.write(text);
  return p.endAll();
}

