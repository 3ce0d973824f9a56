// Reading a small text file the user names (the Dockerfile), with one-sentence errors.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError, fileErrorMessage } from './errors.js';

/** Read `path` (relative to `cwd`) as UTF-8; `what` names it in the error, `hint` says what to do. */
export async function readTextFile(path: string, cwd: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new InputError(fileErrorMessage(err, what, hint));
  }
}
