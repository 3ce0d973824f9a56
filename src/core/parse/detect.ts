// The one entry point for every log shape: buffer lines until the format shows, then delegate.
import type { Build } from '../model.js';
import { ParseError, type FormatParser } from './index.js';
import { createPlainParser } from './plain.js';
import { createRawJsonParser } from './rawjson.js';
import { createLegacyParser } from './legacy.js';
import type { SourceFormat } from '../model.js';

/** How many meaningful lines may pass before a log that shows no known shape is refused. */
const DETECT_WINDOW = 400;

const PLAIN_LINE = /^#\d+ /;
const LEGACY_LINE = /^(Step \d+(\/\d+)? : |Sending build context to Docker daemon|DEPRECATED: The legacy builder)/;

/** Which format a single line proves, or null when it proves nothing. */
export function detectLineFormat(line: string): SourceFormat | null {
  if (PLAIN_LINE.test(line)) return 'plain';
  if (line.startsWith('{')) {
    const t = line.trim();
    if (t === '{' || t.startsWith('{"vertexes"') || t.startsWith('{"statuses"') || t.startsWith('{"logs"') || t.startsWith('{"warnings"')) return 'rawjson';
  }
  if (LEGACY_LINE.test(line)) return 'legacy';
  return null;
}

export function createFormatParser(format: SourceFormat): FormatParser {
  switch (format) {
    case 'plain': return createPlainParser();
    case 'rawjson': return createRawJsonParser();
    case 'legacy': return createLegacyParser();
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
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      this.line(text.slice(start, end), atMs);
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  /** Feed one whole line (no line ending). */
  line(raw: string, atMs?: number): void {
    const line = raw.includes('\r') ? lastRedraw(raw) : raw;
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

  end(): Build {
    if (this.sawBinary) throw new ParseError('This file is binary, not a docker build log: pass the text that `docker build` printed.');
    const cut = this.pending.length > 0;
    if (cut) this.line(this.pending);
    this.pending = '';
    if (!this.parser) {
      if (this.meaningful === 0) throw new ParseError('The log is empty: pass the output of `docker build` (saved with `2>&1 | tee build.log`).');
      throw new ParseError('This is not a docker build log: no BuildKit `#N` lines, rawjson objects or legacy `Step N/M` lines were found.');
    }
    return this.parser.end(cut);
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

