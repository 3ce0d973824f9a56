// ContextScanner: walks a build context the way BuildKit's client does (tonistiigi/fsutil through
// buildx): entries matched against the .dockerignore with their parent directory's results, excluded
// directories pruned when no exception can reach inside them, symlinks sent as links and never
// followed. Sizes come from lstat. It is synchronous on purpose: one thread of readdir + lstat was
// the fastest of the variants measured (bench/context.mjs), and nothing else runs meanwhile.
// Errors are collected, never thrown: an unreadable directory, a socket or a name that is not UTF-8
// is reported with what docker would do with it.
import { lstatSync, readdirSync, readFileSync, type Dirent, type Stats } from 'node:fs';
import type { ContextFile } from '../../analyzers/types.js';
import type { Dockerignore, MatchInfo } from '../core/dockerignore.js';
import { errnoCode } from './errors.js';

export type ScanProblemKind = 'unreadable-dir' | 'unreadable-file' | 'special-file' | 'odd-name' | 'error';

export interface ScanProblem {
  path: string;
  kind: ScanProblemKind;
  /** One sentence: what it is and what docker does with it. */
  detail: string;
  /** The ignore file excludes it (docker never touches it then). */
  excluded: boolean;
}

export interface PrunedDir {
  path: string;
  /** Files and bytes below it, when `sizeExcluded` asked for them; else null. */
  files: number | null;
  bytes: number | null;
}

export interface ContextScan {
  root: string;
  /** The context as the build sees it: regular files and symlinks the ignore file lets through. */
  files: ContextFile[];
  /** Files the ignore file excludes that the walk met (in directories it had to walk). */
  excludedFiles: ContextFile[];
  /** Excluded directories not walked at all, as BuildKit does not walk them. */
  prunedDirs: PrunedDir[];
  /** Directories walked. */
  dirs: number;
  problems: ScanProblem[];
}

export interface ScanOptions {
  ignore: Dockerignore | null;
  /** Read the text of visible files this accepts (kept on ContextFile.content). */
  readContent?: (path: string, size: number) => boolean;
  /** Also walk pruned directories, to size what the ignore file keeps out. */
  sizeExcluded?: boolean;
  signal?: AbortSignal;
}

/** Largest file whose content the scanner reads when asked. */
const MAX_CONTENT_BYTES = 1_000_000;

interface Pending {
  rel: string;
  info: MatchInfo;
}

// eslint-disable-next-line no-control-regex
const ODD_NAME = /[\u0000-\u001f\u007f\ufffd]|^\s|\s$/u;

export class ContextScanner {
  private readonly uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  private readonly groups = new Set(typeof process.getgroups === 'function' ? process.getgroups() : []);

  constructor(readonly root: string) {}

  scan(options: ScanOptions): ContextScan {
    const { ignore } = options;
    const result: ContextScan = { root: this.root, files: [], excludedFiles: [], prunedDirs: [], dirs: 0, problems: [] };
    const stack: Pending[] = [{ rel: '', info: null }];
    while (stack.length > 0) {
      if (options.signal?.aborted) throw options.signal.reason;
      const dir = stack.pop()!;
      const abs = dir.rel === '' ? this.root : `${this.root}/${dir.rel}`;
      let entries: Dirent[];
      try {
        entries = readdirSync(abs, { withFileTypes: true });
      } catch (err) {
        const excluded = dir.rel !== '' && ignore !== null && this.isExcludedDir(dir.rel, ignore, dir.info);
        result.problems.push({
          path: dir.rel === '' ? '.' : dir.rel,
          kind: 'unreadable-dir',
          detail: describeError(err, 'directory', excluded),
          excluded,
        });
        continue;
      }
      result.dirs++;
      // The parent's info is used by every entry; a directory's own info goes with it on the stack.
      const parentInfo = dir.info;
      for (const entry of entries) {
        const name = entry.name;
        const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
        let excluded = false;
        let info: MatchInfo = null;
        if (ignore !== null) {
          const r = ignore.match(rel, dir.rel === '' ? null : parentInfo);
          excluded = r.excluded;
          info = r.info;
        }
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let isLink = entry.isSymbolicLink();
        let stat: Stats | undefined;
        if (!isDir && !isFile && !isLink && entry.isBlockDevice() === false && entry.isCharacterDevice() === false && entry.isFIFO() === false && entry.isSocket() === false) {
          // DT_UNKNOWN (some file systems): ask lstat.
          stat = this.lstat(`${abs}/${name}`, rel, excluded, result);
          if (!stat) continue;
          isDir = stat.isDirectory();
          isFile = stat.isFile();
          isLink = stat.isSymbolicLink();
        }
        if (ODD_NAME.test(name) && !excluded) {
          result.problems.push({ path: rel, kind: 'odd-name', detail: oddNameDetail(name), excluded });
        }
        if (isDir) {
          if (excluded && ignore !== null && ignore.prunes(rel)) {
            result.prunedDirs.push(options.sizeExcluded ? { path: rel, ...sizeTree(`${abs}/${name}`) } : { path: rel, files: null, bytes: null });
            continue;
          }
          stack.push({ rel, info });
          continue;
        }
        if (!isFile && !isLink) {
          if (!excluded) {
            result.problems.push({ path: rel, kind: 'special-file', detail: specialDetail(entry), excluded });
          }
          continue;
        }
        if (excluded && !options.sizeExcluded && !isFile) {
          result.excludedFiles.push({ path: rel, size: 0, kind: 'symlink' });
          continue;
        }
        stat ??= this.lstat(`${abs}/${name}`, rel, excluded, result);
        if (!stat) continue;
        const file: ContextFile = isLink ? { path: rel, size: stat.size, kind: 'symlink' } : { path: rel, size: stat.size };
        if (excluded) {
          result.excludedFiles.push(file);
          continue;
        }
        if (isFile && !this.readable(stat)) {
          result.problems.push({ path: rel, kind: 'unreadable-file', detail: 'the file cannot be read (permission denied): docker build fails when it sends it; fix its permissions or add it to .dockerignore', excluded });
        } else if (isFile && options.readContent && stat.size <= MAX_CONTENT_BYTES && options.readContent(rel, stat.size)) {
          try {
            file.content = readFileSync(`${abs}/${name}`, 'utf8');
          } catch (err) {
            result.problems.push({ path: rel, kind: 'unreadable-file', detail: describeError(err, 'file', excluded), excluded });
          }
        }
        result.files.push(file);
      }
    }
    return result;
  }

  private lstat(abs: string, rel: string, excluded: boolean, result: ContextScan): Stats | undefined {
    try {
      return lstatSync(abs);
    } catch (err) {
      const code = errnoCode(err);
      // readdir gave a name that lstat cannot find again: it is not valid UTF-8 (node replaced bytes).
      if (code === 'ENOENT' && rel.includes('\ufffd')) {
        result.problems.push({ path: rel, kind: 'odd-name', detail: 'the name is not valid UTF-8: buildlens cannot read it (docker sends it as it is)', excluded });
      } else if (code !== 'ENOENT') {
        result.problems.push({ path: rel, kind: 'error', detail: describeError(err, 'file', excluded), excluded });
      }
      return undefined;
    }
  }

  /** Can this process read the file? (root can; otherwise the mode bits of owner, group, other.) */
  private readable(st: Stats): boolean {
    if (this.uid === 0) return true;
    if (st.uid === this.uid) return (st.mode & 0o400) !== 0;
    if (this.groups.has(st.gid)) return (st.mode & 0o040) !== 0;
    return (st.mode & 0o004) !== 0;
  }

  private isExcludedDir(rel: string, ignore: Dockerignore, _info: MatchInfo): boolean {
    return ignore.status(rel, true) !== 'included';
  }
}

/** Files and bytes below a directory, without matching (for pruned directories). */
function sizeTree(abs: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const stack = [abs];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() || e.isSymbolicLink()) {
        try {
          bytes += lstatSync(p).size;
          files++;
        } catch {
          // gone or unreadable: not counted
        }
      }
    }
  }
  return { files, bytes };
}

function describeError(err: unknown, what: 'file' | 'directory', excluded: boolean): string {
  const code = errnoCode(err);
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : err instanceof Error ? err.message : String(err);
  if (excluded) return `the ${what} cannot be read (${why}); the .dockerignore excludes it, so docker skips it`;
  return `the ${what} cannot be read (${why}): docker build fails on it; fix its permissions or add it to .dockerignore`;
}

function specialDetail(entry: Dirent): string {
  const what = entry.isSocket() ? 'a socket' : entry.isFIFO() ? 'a named pipe' : entry.isBlockDevice() ? 'a block device' : entry.isCharacterDevice() ? 'a character device' : 'a special file';
  return `${what}, not a file: not counted; add it to .dockerignore (docker cannot copy its content)`;
}

function oddNameDetail(name: string): string {
  if (/[\n\r]/.test(name)) return 'the name holds a line break: tools that read file lists line by line (and some COPY patterns) get it wrong';
  if (name.includes('\ufffd')) return 'the name is not valid UTF-8';
  if (/^\s|\s$/.test(name)) return 'the name starts or ends with a blank: a .dockerignore line for it must escape nothing, as lines are trimmed — it cannot be excluded by its exact name';
  return 'the name holds control characters';
}
