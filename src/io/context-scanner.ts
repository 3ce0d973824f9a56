// ContextScanner: walks a build context the way BuildKit's client does (tonistiigi/fsutil through
// buildx): entries matched against the .dockerignore with their parent directory's results, excluded
// directories pruned when no exception can reach inside them, symlinks sent as links and never
// followed. Sizes come from lstat. `scan` is synchronous: one thread of readdir + lstat was the
// fastest single-thread variant measured (async fs and the libuv pool were 2-5x slower, see
// bench/README.md). `scanParallel` walks a large context on two threads: past a few thousand entries
// a worker thread (context-scan-worker.ts) takes subtrees from a shared counter while this thread
// walks the others, and the pieces are put back in the order `scan` gives.
// Errors are collected, never thrown: an unreadable directory, a socket or a name that is not UTF-8
// is reported with what docker would do with it.
import { lstatSync, readdirSync, readFileSync, type Dirent, type Stats } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ContextFile } from '../../analyzers/types.js';
import type { Dockerignore, IgnorePattern, MatchInfo } from '../core/dockerignore.js';
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
  /** The same as a pattern on the path (what `scanParallel` can hand to its worker thread). */
  readContentPattern?: RegExp;
  /** Also walk pruned directories, to size what the ignore file keeps out. */
  sizeExcluded?: boolean;
  /** Keep each visible file's mode, mtime and inode (`stat` on ContextFile; `scan` only, not carried by the worker). */
  withStats?: boolean;
  signal?: AbortSignal;
}

/** One entry of a listed directory (scanListed). */
export interface ListedEntry {
  name: string;
  /** The entry's path from the root (the directory's path, `/`, the name). */
  path: string;
  /** As find's `%y`: d directory, f regular file, l symlink, s/p/b/c special files. */
  type: string;
  /** lstat's size; -1 when the listing could not size it (then walkDir's lstat decides). */
  size: number;
  /** A regular file this process can read (the same test as ContextScanner's, on the mode bits). */
  readable: boolean;
}

/** A directory's entries, given in any order; `sorted` gives them in readdir's order (libuv sorts names by their bytes). */
export interface ListedDir {
  sorted(): readonly ListedEntry[];
  /** The entries will not be asked for again (listedPart went through them). */
  drop?(): void;
}

/** Largest file whose content the scanner reads when asked. */
const MAX_CONTENT_BYTES = 1_000_000;

/** A directory still to walk, with its match info for its entries. */
export interface Pending {
  rel: string;
  info: MatchInfo;
}

/** Entries `scanParallel` walks on this thread alone before it starts a worker (a worker costs ~30 ms to start). */
const PARALLEL_AFTER_ENTRIES = 4_000;
/** The same when a worker was started beforehand (startScanWorker): it is ready, so it gets work sooner. */
const PARALLEL_AFTER_ENTRIES_STARTED = 2_000;
/** Subtrees the rest is cut into, shared out one by one between this thread and the worker. */
const PARALLEL_CHUNKS = 96;

const WORKER_URL = new URL('./context-scan-worker.js', import.meta.url);

/** What the worker needs to walk as this thread does (sent with the work: it can start before). */
export interface WorkerSetup {
  root: string;
  patterns: IgnorePattern[] | null;
  sizeExcluded: boolean;
  readContent: { source: string; flags: string } | null;
}

const stoppedWorkers = new WeakSet<Worker>();

/**
 * Start the scan's worker thread ahead of the scan, to hand to `scanParallel`. It is unref'd (it
 * never keeps the process alive) and null when it cannot start; `scanParallel` ends it.
 */
export function startScanWorker(url: URL = WORKER_URL): Worker | null {
  try {
    const worker = new Worker(url);
    // A worker that fails to load or stops is walked around: scanParallel does its part.
    const stop = () => stoppedWorkers.add(worker);
    worker.on('error', stop);
    worker.on('exit', stop);
    worker.unref();
    return worker;
  } catch {
    return null;
  }
}

/** A listed directory gone through ahead of the walk: its own part of the scan, the subdirectories it pushes. */
interface ListedPart {
  part: ContextScan;
  push: Pending[];
  entries: number;
}

function appendScan(result: ContextScan, part: ContextScan): void {
  for (const f of part.files) result.files.push(f);
  for (const f of part.excludedFiles) result.excludedFiles.push(f);
  for (const d of part.prunedDirs) result.prunedDirs.push(d);
  for (const p of part.problems) result.problems.push(p);
  result.dirs += part.dirs;
}

function emptyScan(root: string): ContextScan {
  return { root, files: [], excludedFiles: [], prunedDirs: [], dirs: 0, problems: [] };
}

// eslint-disable-next-line no-control-regex
const ODD_NAME = /[\u0000-\u001f\u007f\ufffd]|^\s|\s$/u;

export class ContextScanner {
  private readonly uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  private readonly groups = new Set(typeof process.getgroups === 'function' ? process.getgroups() : []);

  constructor(readonly root: string) {}

  /** Directories listed beforehand (scanListed), by path: walkDir takes their entries from here. */
  private listing: ReadonlyMap<string, ListedDir> | null = null;
  /** Listed directories already gone through (listedPart), by path. */
  private readonly parts = new Map<string, ListedPart>();
  /** The match info of listed directories, by path (listedPart). */
  private readonly infos = new Map<string, MatchInfo>();

  scan(options: ScanOptions): ContextScan {
    const result = emptyScan(this.root);
    this.walk([{ rel: '', info: null }], result, options, Infinity);
    return result;
  }

  /**
   * The same result as `scan`, with the entries and sizes of the directories in `listing` taken
   * from it (GNU find listed them: context-find.ts); the directories it lacks are read here.
   */
  scanListed(listing: ReadonlyMap<string, ListedDir>, options: ScanOptions): ContextScan {
    this.listing = listing;
    try {
      return this.scan(options);
    } finally {
      this.listing = null;
      this.parts.clear();
      this.infos.clear();
    }
  }

  /**
   * Go through one listed directory now, as walkDir will when `scanListed` reaches it (which then
   * only appends the result): while find still lists the rest. Same `options` as scanListed's.
   */
  listedPart(rel: string, listed: ListedDir, options: ScanOptions): void {
    const info = this.dirInfo(rel, options.ignore);
    const part = emptyScan(this.root);
    const push: Pending[] = [];
    const wantsContent = options.readContent ?? (options.readContentPattern ? (path: string) => options.readContentPattern!.test(path) : undefined);
    const entries = this.walkListed({ rel, info }, listed, rel === '' ? this.root : `${this.root}/${rel}`, part, options, wantsContent, push);
    this.parts.set(rel, { part, push, entries });
    listed.drop?.();
  }

  /** A directory's match info, as the walk gives it to its entries (its parent's, then its own match). */
  private dirInfo(rel: string, ignore: Dockerignore | null): MatchInfo {
    if (ignore === null || rel === '') return null;
    const known = this.infos.get(rel);
    if (known !== undefined) return known;
    const slash = rel.lastIndexOf('/');
    const info = ignore.match(rel, slash < 0 ? null : this.dirInfo(rel.slice(0, slash), ignore)).info;
    this.infos.set(rel, info);
    return info;
  }

  /**
   * The same result as `scan`, on two threads when the context is large: the first entries are
   * walked here; past PARALLEL_AFTER_ENTRIES a worker starts, the directories still to walk are cut
   * into subtrees, and both threads take them from a shared counter. Without the worker (it failed
   * to start or stopped) this thread walks what it left.
   */
  async scanParallel(options: ScanOptions, started?: Worker | null): Promise<ContextScan> {
    const result = emptyScan(this.root);
    const stack: Pending[] = [{ rel: '', info: null }];
    this.walk(stack, result, options, started ? PARALLEL_AFTER_ENTRIES_STARTED : PARALLEL_AFTER_ENTRIES);
    if (stack.length === 0) {
      void started?.terminate();
      return result;
    }
    let worker = started ?? startScanWorker();
    if (worker && stoppedWorkers.has(worker)) worker = null;
    try {
      return await this.shareOut(stack, result, options, worker);
    } finally {
      void worker?.terminate();
    }
  }

  /** The rest of `scanParallel`: what is left on `stack`, cut into subtrees shared with the worker. */
  private async shareOut(stack: Pending[], result: ContextScan, options: ScanOptions, worker: Worker | null): Promise<ContextScan> {
    const pattern = options.readContentPattern;
    const setup: WorkerSetup = { root: this.root, patterns: options.ignore?.patterns ?? null, sizeExcluded: options.sizeExcluded ?? false, readContent: pattern ? { source: pattern.source, flags: pattern.flags } : null };
    // What is left, as a tree: a walked directory's own entries come before its subdirectories'
    // (last pushed first, as the stack pops them), so the pieces go back together in `scan` order.
    interface Node { pending: Pending; own?: ContextScan; children?: Node[]; chunk?: number }
    const roots: Node[] = stack.reverse().map((pending) => ({ pending }));
    // Cut it into PARALLEL_CHUNKS subtrees or more: the shallowest directory is walked (its own
    // entries) and replaced by its subdirectories, so no subtree stays much bigger than the rest.
    const depth = (n: Node) => n.pending.rel.split('/').length;
    let leaves = [...roots];
    while (leaves.length > 0 && leaves.length < PARALLEL_CHUNKS) {
      if (options.signal?.aborted) throw options.signal.reason;
      let k = 0;
      for (let j = 1; j < leaves.length; j++) if (depth(leaves[j]!) < depth(leaves[k]!)) k = j;
      const node = leaves[k]!;
      const own = emptyScan(this.root);
      const pushed: Pending[] = [];
      this.walkDir(node.pending, own, options, pushed);
      node.own = own;
      node.children = pushed.reverse().map((pending) => ({ pending }));
      leaves = [...leaves.slice(0, k), ...leaves.slice(k + 1), ...node.children];
    }
    const chunks: Node[] = [];
    const collect = (n: Node): void => {
      if (n.children) n.children.forEach(collect);
      else chunks.push(Object.assign(n, { chunk: chunks.length }));
    };
    roots.forEach(collect);

    const counter = new Int32Array(new SharedArrayBuffer(4));
    const results: Array<ContextScan | undefined> = chunks.map(() => undefined);
    let received = 0;
    let workerStopped: Promise<void> = Promise.resolve();
    let allIn: () => void = () => {};
    if (worker) {
      const w = worker;
      workerStopped = new Promise<void>((resolve) => {
        allIn = () => {
          if (received === chunks.length) resolve();
        };
        w.on('message', (m: PackedScan | { done: true }) => {
          if ('done' in m) return resolve();
          results[m.index] = unpackScan(this.root, m);
          received++;
          allIn();
        });
        w.on('error', () => resolve());
        w.on('exit', () => resolve());
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      w.ref();
      w.postMessage({ setup, chunks: chunks.map((c) => c.pending), counter });
    }
    for (;;) {
      const i = Atomics.add(counter, 0, 1);
      if (i >= chunks.length) break;
      results[i] = this.scanFrom(chunks[i]!.pending, options);
      received++;
    }
    allIn();
    await workerStopped;
    if (options.signal?.aborted) throw options.signal.reason;
    const append = (part: ContextScan) => {
      for (const f of part.files) result.files.push(f);
      for (const f of part.excludedFiles) result.excludedFiles.push(f);
      for (const d of part.prunedDirs) result.prunedDirs.push(d);
      for (const p of part.problems) result.problems.push(p);
      result.dirs += part.dirs;
    };
    const emit = (n: Node): void => {
      if (n.own) {
        append(n.own);
        n.children!.forEach(emit);
        return;
      }
      let part = results[n.chunk!];
      if (!part) {
        // the worker stopped before it sent this one
        part = this.scanFrom(n.pending, options);
      }
      append(part);
    };
    roots.forEach(emit);
    return result;
  }

  /** The scan of one subtree, as `scan` gives it for the whole context. */
  scanFrom(dir: Pending, options: ScanOptions): ContextScan {
    const part = emptyScan(this.root);
    this.walk([dir], part, options, Infinity);
    return part;
  }

  /**
   * Walk directories from `stack` depth first (the last pushed first) until it is empty or `budget`
   * entries were met; subdirectories go onto the stack.
   */
  walk(stack: Pending[], result: ContextScan, options: ScanOptions, budget: number): void {
    let met = 0;
    while (stack.length > 0 && met < budget) {
      if (options.signal?.aborted) throw options.signal.reason;
      met += this.walkDir(stack.pop()!, result, options, stack);
    }
  }

  /** One directory: its entries into `result`, its subdirectories pushed onto `push` in readdir order. Returns the entries met. */
  walkDir(dir: Pending, result: ContextScan, options: ScanOptions, push: Pending[]): number {
    const { ignore } = options;
    const wantsContent = options.readContent ?? (options.readContentPattern ? (path: string) => options.readContentPattern!.test(path) : undefined);
    const abs = dir.rel === '' ? this.root : `${this.root}/${dir.rel}`;
    const listed = this.listing?.get(dir.rel);
    if (listed) {
      const ready = this.parts.get(dir.rel);
      if (ready) {
        appendScan(result, ready.part);
        for (const p of ready.push) push.push(p);
        return ready.entries;
      }
      return this.walkListed(dir, listed, abs, result, options, wantsContent, push);
    }
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
      return 0;
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
        push.push({ rel, info });
        continue;
      }
      if (!isFile && !isLink) {
        if (!excluded) {
          result.problems.push({ path: rel, kind: 'special-file', detail: specialDetail(entry.isSocket() ? 's' : entry.isFIFO() ? 'p' : entry.isBlockDevice() ? 'b' : entry.isCharacterDevice() ? 'c' : '?'), excluded });
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
      if (options.withStats) file.stat = { mode: stat.mode, mtimeMs: stat.mtimeMs, ino: stat.ino };
      if (excluded) {
        result.excludedFiles.push(file);
        continue;
      }
      if (isFile && !this.readable(stat)) {
        result.problems.push({ path: rel, kind: 'unreadable-file', detail: 'the file cannot be read (permission denied): docker build fails when it sends it; fix its permissions or add it to .dockerignore', excluded });
      } else if (isFile && wantsContent && stat.size <= MAX_CONTENT_BYTES && wantsContent(rel, stat.size)) {
        try {
          file.content = readFileSync(`${abs}/${name}`, 'utf8');
        } catch (err) {
          result.problems.push({ path: rel, kind: 'unreadable-file', detail: describeError(err, 'file', excluded), excluded });
        }
      }
      result.files.push(file);
    }
    return entries.length;
  }

  /**
   * `walkDir` on a directory of a listing (GNU find's, context-find.ts) instead of readdir + lstat:
   * the same decisions, entry by entry, in the same order. An entry the listing could not size (a
   * name that is not UTF-8) goes through lstat as in `walkDir`; a subdirectory the listing has no
   * entries for (unreadable, or pruned by find) is read from the file system when it is walked.
   */
  private walkListed(dir: Pending, listed: ListedDir, abs: string, result: ContextScan, options: ScanOptions, wantsContent: ((path: string, size: number) => boolean) | undefined, push: Pending[]): number {
    const { ignore } = options;
    result.dirs++;
    const parentInfo = dir.info;
    const entries = listed.sorted();
    for (const entry of entries) {
      const name = entry.name;
      const rel = entry.path;
      let excluded = false;
      let info: MatchInfo = null;
      if (ignore !== null) {
        const r = ignore.match(rel, dir.rel === '' ? null : parentInfo);
        excluded = r.excluded;
        info = r.info;
      }
      const type = entry.type;
      if (ODD_NAME.test(name) && !excluded) {
        result.problems.push({ path: rel, kind: 'odd-name', detail: oddNameDetail(name), excluded });
      }
      if (type === 'd') {
        if (excluded && ignore !== null && ignore.prunes(rel)) {
          result.prunedDirs.push(options.sizeExcluded ? { path: rel, ...sizeTree(`${abs}/${name}`) } : { path: rel, files: null, bytes: null });
          continue;
        }
        push.push({ rel, info });
        continue;
      }
      const isFile = type === 'f';
      const isLink = type === 'l';
      if (!isFile && !isLink) {
        if (!excluded) {
          result.problems.push({ path: rel, kind: 'special-file', detail: specialDetail(type), excluded });
        }
        continue;
      }
      if (excluded && !options.sizeExcluded && !isFile) {
        result.excludedFiles.push({ path: rel, size: 0, kind: 'symlink' });
        continue;
      }
      let size = entry.size;
      let readable = entry.readable;
      if (size < 0) {
        // Not sized by the listing (its name is not UTF-8): as walkDir does it.
        const stat = this.lstat(`${abs}/${name}`, rel, excluded, result);
        if (!stat) continue;
        size = stat.size;
        readable = this.readable(stat);
      }
      const file: ContextFile = isLink ? { path: rel, size, kind: 'symlink' } : { path: rel, size };
      if (excluded) {
        result.excludedFiles.push(file);
        continue;
      }
      if (isFile && !readable) {
        result.problems.push({ path: rel, kind: 'unreadable-file', detail: 'the file cannot be read (permission denied): docker build fails when it sends it; fix its permissions or add it to .dockerignore', excluded });
      } else if (isFile && wantsContent && size <= MAX_CONTENT_BYTES && wantsContent(rel, size)) {
        try {
          file.content = readFileSync(`${abs}/${name}`, 'utf8');
        } catch (err) {
          result.problems.push({ path: rel, kind: 'unreadable-file', detail: describeError(err, 'file', excluded), excluded });
        }
      }
      result.files.push(file);
    }
    return entries.length;
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

/** `type` as find's `%y` writes it: s socket, p pipe, b block device, c character device. */
function specialDetail(type: string): string {
  const what = type === 's' ? 'a socket' : type === 'p' ? 'a named pipe' : type === 'b' ? 'a block device' : type === 'c' ? 'a character device' : 'a special file';
  return `${what}, not a file: not counted; add it to .dockerignore (docker cannot copy its content)`;
}

function oddNameDetail(name: string): string {
  if (/[\n\r]/.test(name)) return 'the name holds a line break: tools that read file lists line by line (and some COPY patterns) get it wrong';
  if (name.includes('\ufffd')) return 'the name is not valid UTF-8';
  if (/^\s|\s$/.test(name)) return 'the name starts or ends with a blank: a .dockerignore line for it must escape nothing, as lines are trimmed — it cannot be excluded by its exact name';
  return 'the name holds control characters';
}

/** Files as a worker sends them: one string of paths and typed arrays, not one object per file. */
interface PackedFiles {
  paths: string;
  sizes: Float64Array;
  links: Uint8Array;
  contents: Array<[number, string]>;
}

/** A subtree's scan as the worker posts it (cheap to copy between threads). */
export interface PackedScan {
  index: number;
  files: PackedFiles;
  excludedFiles: PackedFiles;
  prunedDirs: PrunedDir[];
  problems: ScanProblem[];
  dirs: number;
}

function packFiles(files: readonly ContextFile[]): PackedFiles {
  const sizes = new Float64Array(files.length);
  const links = new Uint8Array(files.length);
  const contents: Array<[number, string]> = [];
  const paths: string[] = new Array(files.length);
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    paths[i] = f.path;
    sizes[i] = f.size;
    if (f.kind === 'symlink') links[i] = 1;
    if (f.content !== undefined) contents.push([i, f.content]);
  }
  // NUL cannot be in a file name.
  return { paths: paths.join('\0'), sizes, links, contents };
}

function unpackFiles(p: PackedFiles): ContextFile[] {
  const n = p.sizes.length;
  if (n === 0) return [];
  const paths = p.paths.split('\0');
  const out: ContextFile[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = p.links[i] === 1 ? { path: paths[i]!, size: p.sizes[i]!, kind: 'symlink' } : { path: paths[i]!, size: p.sizes[i]! };
  for (const [i, content] of p.contents) out[i]!.content = content;
  return out;
}

/** A subtree's scan, packed to post to the thread that asked for it, with the buffers to transfer. */
export function packScan(index: number, scan: ContextScan): { message: PackedScan; transfer: ArrayBuffer[] } {
  const files = packFiles(scan.files);
  const excludedFiles = packFiles(scan.excludedFiles);
  return {
    message: { index, files, excludedFiles, prunedDirs: scan.prunedDirs, problems: scan.problems, dirs: scan.dirs },
    transfer: [files.sizes.buffer, files.links.buffer, excludedFiles.sizes.buffer, excludedFiles.links.buffer] as ArrayBuffer[],
  };
}

function unpackScan(root: string, m: PackedScan): ContextScan {
  return { root, files: unpackFiles(m.files), excludedFiles: unpackFiles(m.excludedFiles), prunedDirs: m.prunedDirs, problems: m.problems, dirs: m.dirs };
}
