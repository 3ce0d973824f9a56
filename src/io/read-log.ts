// Reading a saved build log (or stdin) into the build model, streaming: chunks go to the parser as
// they are read, so a large log is never held in memory whole.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Build } from '../core/model.js';
import { LogParser } from '../core/parse/detect.js';
import { InputError, fileErrorMessage } from './errors.js';

export interface ReadLogOptions {
  /** Relative paths are resolved against this (default: the process's working directory). */
  cwd?: string;
  /** Stops reading; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

const PATH_HINT = 'check the path, or pass - to read the log from stdin';

async function feed(stream: NodeJS.ReadableStream, parser: LogParser, signal: AbortSignal | undefined): Promise<void> {
  const decoder = new StringDecoder('utf8');
  signal?.throwIfAborted();
  const onAbort = () => {
    const destroy = (stream as { destroy?: (err?: Error) => void }).destroy;
    if (destroy) destroy.call(stream, signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    }
    const rest = decoder.end();
    if (rest) parser.write(rest);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  signal?.throwIfAborted();
}

/**
 * Read a build log from a file, or from `stdin` when `source` is `-`, and parse it: the LAST build
 * of the log (see readLogs). Throws InputError when the file cannot be read, ParseError (from the
 * parser) when it is not a build log.
 */
export async function readLog(source: string, stdin: NodeJS.ReadableStream, options: ReadLogOptions = {}): Promise<Build> {
  const builds = await readLogs(source, stdin, options);
  return builds[builds.length - 1]!;
}

/** Like readLog, but every build the log holds (builds run one after another, compose services), in order. */
export async function readLogs(source: string, stdin: NodeJS.ReadableStream, options: ReadLogOptions = {}): Promise<Build[]> {
  const parser = new LogParser();
  if (source === '-') {
    if ((stdin as { isTTY?: boolean }).isTTY) {
      throw new InputError('`-` reads the log from stdin, but stdin is a terminal: pipe a log in, e.g. `docker build --progress=plain . 2>&1 | buildlens report -`.');
    }
    await feed(stdin, parser, options.signal);
    return parser.endAll();
  }
  const path = resolve(options.cwd ?? process.cwd(), source);
  const what = `The log file ${source}`;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`${source} is a directory, not a log file: pass the file that holds the output of \`docker build\`.`);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(fileErrorMessage(err, what, PATH_HINT));
  }
  const stream = createReadStream(path);
  stream.setEncoding('utf8');
  try {
    await feed(stream, parser, options.signal);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new InputError(fileErrorMessage(err, what, PATH_HINT));
  } finally {
    stream.destroy();
  }
  return parser.endAll();
}
