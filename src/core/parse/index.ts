// One entry point for every log shape: detect the format from the first meaningful lines, then feed a
// format parser line by line. Pure: callers (src/io) read files or processes and push text chunks.
import type { Build } from '../model.js';

/** A parser for one log shape, fed one line at a time (without its line ending). */
export interface FormatParser {
  /**
   * @param text one line, CR/LF stripped
   * @param atMs when the line arrived (epoch ms), if the caller knows: lets a live wrapper or a
   *   timestamped CI log time steps that the text itself does not time
   */
  line(text: string, atMs?: number): void;
  /** Finish: `cutMidLine` says the input ended without a final newline. */
  end(cutMidLine: boolean): Build;
}

/** A user-facing parse failure: one clear sentence, never a stack trace. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}
