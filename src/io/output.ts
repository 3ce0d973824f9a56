// Writing a report to the file named by `--output`.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError, errnoCode } from './errors.js';

export async function writeOutputFile(path: string, text: string, cwd: string): Promise<void> {
  try {
    await writeFile(resolve(cwd, path), text, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'its directory does not exist'
      : code === 'EISDIR' ? 'it is a directory'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : err instanceof Error ? err.message : String(err);
    throw new InputError(`Cannot write the report to ${path} (${why}): choose another --output path.`);
  }
}
