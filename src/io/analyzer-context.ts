// The build context as the analyzers read it: scanned as BuildKit sees it (the ignore file that
// applies, excluded directories pruned), with the text of the manifests (package.json,
// requirements files, …) and of the files the secret check reads.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { AnalyzerContext } from '../../analyzers/types.js';
import { InputError, fileErrorMessage } from './errors.js';
import { ignoreFileFor } from './ignore-file.js';

/** Files whose text the analyzers read: manifests, requirement files, and what the secret check reads. */
const CONTENT_FILES = /(^|\/)(package\.json|Pipfile|Gemfile|composer\.json|pyproject\.toml|go\.mod|Cargo\.toml|[^/]*requirements[^/]*\.(txt|in)|[^/]*constraints[^/]*\.txt|\.gitignore|\.npmrc|\.pypirc|\.yarnrc\.yml)$/;

function display(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel === '' ? '.' : rel.startsWith('..') && abs.length < rel.length ? abs : rel;
}

/**
 * Scan the build context DIR for the analyzers; null when there is no such directory and none was
 * asked for (`asked`: an error then). `withStats` keeps each file's mode, mtime and inode (what
 * `build`'s fingerprints digest: one scan serves both).
 */
export async function readAnalyzerContext(rootAbs: string, dockerfileAbs: string, asked: boolean, io: { cwd: string; signal?: AbortSignal; withStats?: boolean }): Promise<AnalyzerContext['context'] | null> {
  let isDir = false;
  try {
    isDir = statSync(rootAbs).isDirectory();
  } catch (err) {
    if (asked) throw new InputError(fileErrorMessage(err, `The context directory ${display(io.cwd, rootAbs)}`, 'give the directory you pass to docker build'));
    return null;
  }
  if (!isDir) {
    if (asked) throw new InputError(`The context ${display(io.cwd, rootAbs)} is a file, not a directory: give the directory you pass to docker build.`);
    return null;
  }
  const [{ Dockerignore, DockerignoreError }, { ContextScanner }] = await Promise.all([
    import('../core/dockerignore.js'),
    import('./context-scanner.js'),
  ]);
  const ignoreAbs = ignoreFileFor(rootAbs, dockerfileAbs);
  const ignorePath = display(io.cwd, ignoreAbs);
  let ignoreText: string | null = null;
  try {
    ignoreText = await readFile(ignoreAbs, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw new InputError(fileErrorMessage(err, `The ignore file ${ignorePath}`, 'check it'));
  }
  let ignore = null;
  if (ignoreText !== null) {
    try {
      ignore = Dockerignore.parse(ignoreText);
    } catch (err) {
      if (err instanceof DockerignoreError) throw new InputError(`${ignorePath} ${err.message}: fix that line.`);
      throw err;
    }
  }
  const scan = new ContextScanner(rootAbs).scan({
    ignore,
    // Requirement files can have any name: small .txt files are read too.
    readContent: (path, size) => CONTENT_FILES.test(path) || (path.endsWith('.txt') && size <= 64_000),
    ...(io.withStats ? { withStats: true } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  return {
    root: display(io.cwd, rootAbs),
    files: scan.files,
    excluded: scan.excludedFiles,
    filtered: true,
    dockerignore: ignoreText !== null ? { path: ignorePath, text: ignoreText } : { path: ignorePath, text: '', missing: true },
  };
}
