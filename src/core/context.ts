// The build context, pure: which files the build sees (the .dockerignore applied), which of them
// BuildKit transfers (the COPY/ADD and bind-mount sources of the stages the target reaches), totals,
// where the bytes are, what should not be there, and the .dockerignore lines that keep it out.
import { createRequire } from 'node:module';
import type { AnalyzerContext, ContextFile } from '../../analyzers/types.js';
import { instructionBody, type Dockerfile, type Instruction } from './dockerfile.js';
import { CompiledPattern, Dockerignore, PatternList, cleanPath, parseDockerignore, type IgnorePattern, type MatchInfo } from './dockerignore.js';

export type { ContextFile };

// ---------------------------------------------------------------------------------------------
// The context as the build sees it

/** The files of a context that the ignore file lets through (idempotent on scanned files). */
export function visibleFiles(files: readonly ContextFile[], ignore: Dockerignore | null): ContextFile[] {
  if (!ignore || ignore.patterns.length === 0) return [...files];
  const memo = new Map<string, { excluded: boolean; pruned: boolean; info: MatchInfo }>();
  const dirState = (dir: string): { excluded: boolean; pruned: boolean; info: MatchInfo } => {
    const known = memo.get(dir);
    if (known) return known;
    const slash = dir.lastIndexOf('/');
    const parent = slash < 0 ? null : dirState(dir.slice(0, slash));
    let state;
    if (parent?.pruned) state = { excluded: true, pruned: true, info: null };
    else {
      const r = ignore.match(dir, parent ? parent.info : null);
      state = { excluded: r.excluded, pruned: r.excluded && ignore.prunes(dir), info: r.info };
    }
    memo.set(dir, state);
    return state;
  };
  let lastDir = '\0';
  let lastState: { excluded: boolean; pruned: boolean; info: MatchInfo } | null = null;
  return files.filter((f) => {
    const slash = f.path.lastIndexOf('/');
    let parent = null;
    if (slash >= 0) {
      if (slash !== lastDir.length || !f.path.startsWith(lastDir)) {
        lastDir = f.path.slice(0, slash);
        lastState = dirState(lastDir);
      }
      parent = lastState;
    }
    if (parent?.pruned) return false;
    return !ignore.match(f.path, parent ? parent.info : null).excluded;
  });
}

// ---------------------------------------------------------------------------------------------
// What BuildKit transfers

export interface ContextSource {
  /** The source as written (`./src`, `package*.json`). */
  source: string;
  /** Cleaned and relative to the context root (`src`, `package*.json`, `.` for the whole context). */
  path: string;
  keyword: 'COPY' | 'ADD' | 'RUN';
  line: number;
  stageIndex: number;
}

export interface ContextUse {
  /** Stages the target reaches (BuildKit builds only those), by index. */
  reachedStages: number[];
  /** The target stage index. */
  target: number;
  sources: ContextSource[];
  /** A source is the whole context (`.`), or cannot be known (a `$VAR`): BuildKit sends everything. */
  all: boolean;
  /** Sources BuildKit resolves from variables: buildlens cannot know them, and counts everything. */
  variableSources: ContextSource[];
}

/** Split shell-form arguments on blanks, honouring simple quotes. */
/** Shell-like words: `a "b c" 'd'` → a, b c, d. */
export function words(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** The context sources of a COPY or ADD (none with --from, heredocs, URLs or git). */
export function copySources(ins: Instruction): string[] {
  if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') return [];
  if (ins.flags['from']?.length) return [];
  const body = instructionBody(ins);
  let args: string[];
  if (ins.jsonForm) {
    try {
      args = JSON.parse(body) as string[];
    } catch {
      args = words(body);
    }
  } else args = words(body);
  const sources = args.slice(0, -1).filter((s) => !s.startsWith('<<'));
  if (ins.keyword === 'ADD') return sources.filter((s) => !/^(https?|git|ssh):\/\/|^git@|\.git(#.*)?$/.test(s));
  return sources;
}

/** The `from=` of each `--mount` (a stage or an image the step reads). */
export function mountFroms(ins: Instruction): string[] {
  const out: string[] = [];
  for (const m of ins.flags['mount'] ?? []) {
    const from = /(?:^|,)from=([^,]+)/.exec(m)?.[1];
    if (from !== undefined) out.push(from);
  }
  return out;
}

/** The context sources of `RUN --mount=type=bind,...` without `from=` (default source: the whole context). */
export function bindMountSources(ins: Instruction): string[] {
  if (ins.keyword !== 'RUN') return [];
  const out: string[] = [];
  for (const m of ins.flags['mount'] ?? []) {
    const opts = new Map<string, string>();
    for (const part of m.split(',')) {
      const eq = part.indexOf('=');
      opts.set((eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(), eq < 0 ? '' : part.slice(eq + 1).trim());
    }
    const type = opts.get('type') ?? 'bind';
    if (type !== 'bind' || opts.has('from')) continue;
    out.push(opts.get('source') ?? opts.get('src') ?? '.');
  }
  return out;
}

/** The stage a reference (`build`, `0`) names, before stage `before`; null when it names none (an image). */
export function stageRef(df: Dockerfile, ref: string, before: number): number | null {
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    return i < before ? i : null;
  }
  const lower = ref.toLowerCase();
  for (let i = before - 1; i >= 0; i--) if (df.stages[i]!.name?.toLowerCase() === lower) return i;
  return null;
}

/** The stage `--target` names (last stage by default); null when there is no such stage. */
export function targetStage(df: Dockerfile, target?: string): number | null {
  if (df.stages.length === 0) return null;
  if (target === undefined) return df.stages.length - 1;
  const lower = target.toLowerCase();
  const i = df.stages.findIndex((s) => s.name?.toLowerCase() === lower);
  return i >= 0 ? i : null;
}

/** Which stages the target reaches and which context paths they read. */
export function contextUse(df: Dockerfile, target?: string): ContextUse | null {
  const t = targetStage(df, target);
  if (t === null) return null;
  const reached = new Set<number>();
  const todo = [t];
  while (todo.length > 0) {
    const i = todo.pop()!;
    if (reached.has(i)) continue;
    reached.add(i);
    const stage = df.stages[i]!;
    const base = stageRef(df, stage.baseImage, i);
    if (base !== null) todo.push(base);
    for (const ins of stage.instructions) {
      for (const f of ins.flags['from'] ?? []) {
        const s = stageRef(df, f, i);
        if (s !== null) todo.push(s);
      }
      for (const from of mountFroms(ins)) {
        const s = stageRef(df, from, i);
        if (s !== null) todo.push(s);
      }
    }
  }
  const sources: ContextSource[] = [];
  for (const i of [...reached].sort((a, b) => a - b)) {
    for (const ins of df.stages[i]!.instructions) {
      const keyword = ins.keyword === 'RUN' ? 'RUN' : ins.keyword === 'ADD' ? 'ADD' : 'COPY';
      const list = ins.keyword === 'RUN' ? bindMountSources(ins) : copySources(ins);
      for (const source of list) {
        sources.push({ source, path: contextPath(source), keyword, line: ins.line, stageIndex: i });
      }
    }
  }
  const variableSources = sources.filter((s) => s.source.includes('$'));
  const all = variableSources.length > 0 || sources.some((s) => s.path === '.');
  return { reachedStages: [...reached].sort((a, b) => a - b), target: t, sources, all, variableSources };
}

/** A source as BuildKit's dockerfile2llb records it: `path.Join("/", src)`, relative to the root. */
export function contextPath(source: string): string {
  const p = cleanPath('/' + source);
  return p === '/' ? '.' : p.slice(1);
}

/**
 * The files BuildKit transfers for these sources: the context filtered by include patterns made
 * from the sources (a source matches itself and everything below it), as fsutil does.
 */
export function transferFiles(visible: readonly ContextFile[], use: ContextUse | null): ContextFile[] {
  if (!use) return [...visible];
  if (use.all) return [...visible];
  if (use.sources.length === 0) return [];
  const list = new PatternList(
    use.sources.map((s): IgnorePattern => ({ pattern: s.path, exception: false, line: s.line, source: s.source })),
    'include',
  );
  const memo = new Map<string, MatchInfo & boolean[]>();
  const dirInfo = (dir: string): boolean[] => {
    const known = memo.get(dir);
    if (known) return known;
    const slash = dir.lastIndexOf('/');
    const info = list.match(dir, slash < 0 ? null : dirInfo(dir.slice(0, slash))).info;
    memo.set(dir, info);
    return info;
  };
  return visible.filter((f) => {
    const slash = f.path.lastIndexOf('/');
    return list.match(f.path, slash < 0 ? null : dirInfo(f.path.slice(0, slash))).matched;
  });
}

// ---------------------------------------------------------------------------------------------
// Totals and where the bytes are

export interface Totals {
  files: number;
  bytes: number;
}

export interface SizedPath extends Totals {
  path: string;
}

export function totals(files: readonly ContextFile[]): Totals {
  let bytes = 0;
  for (const f of files) bytes += f.size;
  return { files: files.length, bytes };
}

const bySize = (a: SizedPath, b: SizedPath) => b.bytes - a.bytes || b.files - a.files || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Files of one directory that come one after the other in a file list: `files[start..end)`. */
export interface DirectoryRun {
  /** The directory (`a/b`), or '' for files at the top of the context. */
  dir: string;
  start: number;
  end: number;
}

const RUNS = new WeakMap<readonly ContextFile[], { length: number; runs: DirectoryRun[] }>();

/**
 * A file list cut where the directory changes (scans list a directory's files together). Computed
 * once per list and shared: at 1M files, comparing each path with its directory costs ~150 ms a
 * pass, which the totals, the junk, the breakdown and the proposal paid each on their own.
 */
export function directoryRuns(files: readonly ContextFile[]): DirectoryRun[] {
  const known = RUNS.get(files);
  if (known && known.length === files.length) return known.runs;
  const runs: DirectoryRun[] = [];
  let run: DirectoryRun | null = null;
  for (let i = 0; i < files.length; i++) {
    const path = files[i]!.path;
    if (run !== null && inDirectory(path, run.dir)) continue;
    if (run !== null) run.end = i;
    const slash = path.lastIndexOf('/');
    run = { dir: slash < 0 ? '' : path.slice(0, slash), start: i, end: files.length };
    runs.push(run);
  }
  RUNS.set(files, { length: files.length, runs });
  return runs;
}

/** Whether `path` is a file of `dir` itself ('' for the top). charCodeAt and indexOf, as startsWith and lastIndexOf cost ~5x more a call. */
function inDirectory(path: string, dir: string): boolean {
  const len = dir.length;
  if (len === 0) return path.indexOf('/') < 0;
  if (path.length <= len + 1 || path.charCodeAt(len) !== 0x2f || path.indexOf('/', len + 1) >= 0) return false;
  // from the end: sibling directories differ there first
  for (let i = len - 1; i >= 0; i--) if (path.charCodeAt(i) !== dir.charCodeAt(i)) return false;
  return true;
}

/** Every directory with the files and bytes below it (cumulative), and the top-level breakdown. */
export function directorySizes(files: readonly ContextFile[]): Map<string, Totals> {
  // Files are summed into their own directory first (one run at a time), then each directory's
  // totals are added to its parents (one walk up per directory, not per file).
  const own = new Map<string, Totals>();
  for (const run of directoryRuns(files)) {
    if (run.dir === '') continue;
    let t = own.get(run.dir);
    if (!t) own.set(run.dir, (t = { files: 0, bytes: 0 }));
    t.files += run.end - run.start;
    for (let i = run.start; i < run.end; i++) t.bytes += files[i]!.size;
  }
  const dirs = new Map<string, Totals>();
  for (const [d, t] of own) {
    let i = d.indexOf('/');
    for (;;) {
      const a = i < 0 ? d : d.slice(0, i);
      const known = dirs.get(a);
      if (known) {
        known.files += t.files;
        known.bytes += t.bytes;
      } else dirs.set(a, { files: t.files, bytes: t.bytes });
      if (i < 0) break;
      i = d.indexOf('/', i + 1);
    }
  }
  return dirs;
}

export interface Breakdown {
  largestDirectories: SizedPath[];
  largestFiles: SizedPath[];
  topLevel: SizedPath[];
}

export function breakdown(files: readonly ContextFile[], count = 10): Breakdown {
  const dirs = directorySizes(files);
  const largestDirectories = [...dirs].map(([path, t]) => ({ path, ...t })).sort(bySize).slice(0, count);
  const largestFiles = topN(files, count).map((f) => ({ path: f.path, files: 1, bytes: f.size }));
  // Top-level directories come from the directory totals; only top-level files are looked at here.
  const top = new Map<string, Totals>();
  for (const run of directoryRuns(files)) {
    if (run.dir !== '') continue;
    for (let i = run.start; i < run.end; i++) {
      const f = files[i]!;
      const t = top.get(f.path);
      if (t) {
        t.files++;
        t.bytes += f.size;
      } else top.set(f.path, { files: 1, bytes: f.size });
    }
  }
  for (const [d, t] of dirs) if (!d.includes('/')) top.set(d + '/', t);
  const topLevel = [...top].map(([path, t]) => ({ path, ...t })).sort(bySize);
  return { largestDirectories, largestFiles, topLevel };
}

/** The `count` largest files, without sorting them all. */
function topN(files: readonly ContextFile[], count: number): ContextFile[] {
  const best: ContextFile[] = [];
  for (const f of files) {
    if (best.length < count || f.size > best[best.length - 1]!.size) {
      best.push(f);
      best.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
      if (best.length > count) best.pop();
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// What should not be there

export type JunkCategory = 'vcs' | 'dependencies' | 'build-output' | 'logs' | 'editor-os' | 'large-binary';

export const JUNK_LABEL: Record<JunkCategory, string> = {
  vcs: 'version control data',
  dependencies: 'installed dependencies',
  'build-output': 'build output',
  logs: 'log files',
  'editor-os': 'editor and OS files',
  'large-binary': 'large binary files (> 10 MB)',
};

const JUNK_DIRS: Record<string, JunkCategory> = {
  '.git': 'vcs', '.hg': 'vcs', '.svn': 'vcs',
  node_modules: 'dependencies', '.venv': 'dependencies', venv: 'dependencies', bower_components: 'dependencies', '.pnpm-store': 'dependencies', '.yarn/cache': 'dependencies',
  dist: 'build-output', build: 'build-output', target: 'build-output', '.next': 'build-output', '.nuxt': 'build-output', __pycache__: 'build-output',
  coverage: 'build-output', '.pytest_cache': 'build-output', '.mypy_cache': 'build-output', '.tox': 'build-output', '.turbo': 'build-output', '.gradle': 'build-output', '.parcel-cache': 'build-output',
  '.idea': 'editor-os', '.vscode': 'editor-os',
};

const JUNK_FILES: Array<[RegExp, JunkCategory, string]> = [
  [/(^|\/)[^/]*\.log$/, 'logs', '**/*.log'],
  [/(^|\/)(npm-debug|yarn-error|yarn-debug)\.log[^/]*$/, 'logs', '**/npm-debug.log*'],
  [/(^|\/)\.DS_Store$/, 'editor-os', '**/.DS_Store'],
  [/(^|\/)Thumbs\.db$/, 'editor-os', '**/Thumbs.db'],
  [/(^|\/)[^/]*\.sw[op]$/, 'editor-os', '**/*.swp'],
  [/(^|\/)[^/]*~$/, 'editor-os', '**/*~'],
];

/** The outermost junk directory of a path: one test per file instead of a lookup per path element. */
const JUNK_DIR_RE = new RegExp(`(^|/)(${Object.keys(JUNK_DIRS).filter((d) => !d.includes('/')).map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})/`);
/** Any of JUNK_FILES (most files match none: one test, then the table for the few that do). */
const JUNK_FILE_ANY = new RegExp(JUNK_FILES.map(([re]) => `(?:${re.source})`).join('|'));

/** Extensions of files that are text or source, not "binaries", however large. */
const TEXT_EXT = /\.(js|mjs|cjs|ts|tsx|jsx|json|md|txt|csv|tsv|html|css|scss|xml|ya?ml|toml|ini|sql|py|go|rs|java|kt|rb|php|c|h|cc|cpp|hpp|cs|sh|svg)$/i;

export const LARGE_FILE_BYTES = 10_000_000;

export interface JunkGroup extends SizedPath {
  category: JunkCategory;
  /** The .dockerignore line that keeps it out (`node_modules`, `**​/node_modules`, `**​/*.log`). */
  pattern: string;
}

/**
 * Junk in the visible context, grouped by the .dockerignore line that would keep it out: junk
 * directories (outermost), junk file patterns, then files over 10 MB that are not text.
 */
export function findJunk(files: readonly ContextFile[]): JunkGroup[] {
  const groups = new Map<string, JunkGroup>();
  const add = (pattern: string, category: JunkCategory, path: string, size: number) => {
    const g = groups.get(pattern);
    if (g) {
      g.files++;
      g.bytes += size;
    } else groups.set(pattern, { pattern, category, path, files: 1, bytes: size });
  };
  const addRun = (pattern: string, category: JunkCategory, path: string, run: DirectoryRun) => {
    let bytes = 0;
    for (let i = run.start; i < run.end; i++) bytes += files[i]!.size;
    const g = groups.get(pattern);
    if (g) {
      g.files += run.end - run.start;
      g.bytes += bytes;
    } else groups.set(pattern, { pattern, category, path, files: run.end - run.start, bytes });
  };
  const runs = directoryRuns(files);
  const hasComposer = runs.some((r) => r.dir === '' && files.slice(r.start, r.end).some((f) => f.path === 'composer.json'));
  // One answer per directory (the outermost junk directory on its path: a `/` follows it); the
  // files of a junk directory are counted without looking at their names.
  for (const run of runs) {
    const dir = run.dir;
    // `vendor` counts only at the top with a composer.json beside it.
    if (hasComposer && (dir === 'vendor' || dir.startsWith('vendor/'))) {
      addRun('vendor', 'dependencies', 'vendor', run);
      continue;
    }
    if (dir !== '') {
      const m = JUNK_DIR_RE.exec(dir + '/');
      if (m) {
        const name = m[2]!;
        const start = m.index + m[1]!.length;
        addRun(start === 0 ? name : `**/${name}`, JUNK_DIRS[name]!, dir.slice(0, start + name.length), run);
        continue;
      }
    }
    for (let i = run.start; i < run.end; i++) {
      const f = files[i]!;
      const path = f.path;
      if (JUNK_FILE_ANY.test(path)) {
        const rule = JUNK_FILES.find(([re]) => re.test(path))!;
        add(rule[2], rule[1], path, f.size);
        continue;
      }
      if (f.size > LARGE_FILE_BYTES && !TEXT_EXT.test(path) && f.kind !== 'symlink') add(path, 'large-binary', path, f.size);
    }
  }
  // A junk directory only nested (`packages/a/node_modules`) gets a `**/` line; when both exist the
  // `**/` line covers the top-level one too.
  for (const [pattern, g] of [...groups]) {
    if (pattern.startsWith('**/') || g.category === 'large-binary') continue;
    const nested = groups.get(`**/${pattern}`);
    if (nested) {
      nested.files += g.files;
      nested.bytes += g.bytes;
      groups.delete(pattern);
    }
  }
  return [...groups.values()].sort(bySize);
}

// ---------------------------------------------------------------------------------------------
// Secrets

export interface SecretFile extends SizedPath {
  kind: string;
}

const SECRET_NAMES: Array<[RegExp, string]> = [
  [/(^|\/)\.env(\.(?!(example|sample|template|dist|defaults?)$)[^/]*)?$/, 'environment file'],
  [/(^|\/)[^/]*\.(pem|key|p12|pfx|keystore|jks)$/, 'private key or certificate store'],
  [/(^|\/)id_(rsa|dsa|ecdsa|ed25519)(?!\.pub$)[^/]*$/, 'SSH private key'],
  [/(^|\/)\.aws\/credentials$/, 'AWS credentials'],
  [/(^|\/)\.git-credentials$/, 'git credentials'],
  [/(^|\/)\.netrc$/, 'netrc credentials'],
  [/(^|\/)\.docker\/config\.json$/, 'Docker registry credentials'],
  [/(^|\/)\.kube\/config$/, 'Kubernetes credentials'],
  [/(^|\/)(application_default_credentials|service[-_]?account[^/]*|gcp[-_]?credentials[^/]*)\.json$/, 'cloud service-account key'],
  [/(^|\/)terraform\.tfstate(\.backup)?$/, 'Terraform state'],
];

/** Any of SECRET_NAMES: one test per file, the table only for the few that match. */
const SECRET_NAME_ANY = new RegExp(SECRET_NAMES.map(([re]) => `(?:${re.source})`).join('|'));

/** Files whose content decides whether they hold a secret (read by the scanner when small). */
export const SECRET_CONTENT_FILES = /(^|\/)\.(npmrc|pypirc|yarnrc\.yml)$/;
const TOKEN_IN_CONTENT = /(_authToken|_auth\s*=|_password|npmAuthToken|^\s*password\s*[=:])/im;

/**
 * Whether SECRET_NAMES could match the file whose name starts at `nameStart`: every secret name
 * starts with `.`, `i`, `c` or `t`, or ends with one of a few extensions. A superset, much cheaper
 * than the pattern, which runs only on the few files it does not rule out.
 */
function maySecretName(path: string, nameStart: number): boolean {
  const c = path.charCodeAt(nameStart);
  if (c === 0x2e || c === 0x69 || c === 0x63 || c === 0x74) return true;
  const n = path.length;
  switch (path.charCodeAt(n - 1)) {
    case 0x6e: return path.endsWith('.json');
    case 0x6d: return path.endsWith('.pem');
    case 0x79: return path.endsWith('.key');
    case 0x32: return path.endsWith('.p12');
    case 0x78: return path.endsWith('.pfx');
    case 0x65: return path.endsWith('.keystore');
    case 0x73: return path.charCodeAt(n - 2) === 0x6b && path.endsWith('.jks');
    default: return false;
  }
}

export function findSecrets(files: readonly ContextFile[]): SecretFile[] {
  const out: SecretFile[] = [];
  for (const run of directoryRuns(files)) {
    const nameStart = run.dir === '' ? 0 : run.dir.length + 1;
    for (let i = run.start; i < run.end; i++) {
      const f = files[i]!;
      if (f.kind === 'symlink') continue;
      const named = maySecretName(f.path, nameStart) && SECRET_NAME_ANY.test(f.path) ? SECRET_NAMES.find(([re]) => re.test(f.path)) : undefined;
      if (named) {
        out.push({ path: f.path, files: 1, bytes: f.size, kind: named[1] });
        continue;
      }
      if (f.content !== undefined && SECRET_CONTENT_FILES.test(f.path) && TOKEN_IN_CONTENT.test(f.content)) {
        out.push({ path: f.path, files: 1, bytes: f.size, kind: `${f.path.replace(/^.*\//, '')} holding a token or password` });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fix: lines to add to the .dockerignore

export interface IgnoreLine extends Totals {
  line: string;
  /** Why: the junk category, `secret`, `git-ignored`, … in words. */
  reason: string;
}

export interface IgnoreProposal {
  lines: IgnoreLine[];
  /** Candidate lines left out, with why (a COPY needs what they exclude, or they would override an exception). */
  skipped: Array<{ line: string; why: string }>;
  /** Files and bytes the added lines keep out, together. */
  saves: Totals;
}

export interface ProposalInput {
  /** Every visible file (the context as the build sees it now). */
  visible: readonly ContextFile[];
  /** The current ignore patterns (empty when there is no ignore file). */
  current: IgnorePattern[];
  /** Candidate lines in order, with their reason. */
  candidates: Array<{ line: string; reason: string }>;
  /** How the Dockerfile reads the context: sources other than `.` are kept. */
  use: ContextUse | null;
}

/**
 * Choose which candidate lines to append. Each line is tried after the user's lines and the lines
 * already chosen (the last match wins, so order matters); a line is left out when it would drop a
 * file a COPY source names (other than `.`), or a file the user keeps with a `!` exception.
 */
export function proposeIgnoreLines(input: ProposalInput): IgnoreProposal {
  const chosen: IgnorePattern[] = [];
  const lines: IgnoreLine[] = [];
  const skipped: IgnoreProposal['skipped'] = [];
  const visible = input.visible;
  const protectedFiles = new Set(
    input.use && input.use.sources.some((s) => s.path !== '.')
      ? transferFiles(visible, { ...input.use, all: false, sources: input.use.sources.filter((s) => s.path !== '.' && !s.source.includes('$')) }).map((f) => f.path)
      : [],
  );
  const hasExceptions = input.current.some((p) => p.exception);
  let userExcludes: Dockerignore | undefined;
  const keptByException = (path: string) => hasExceptions && !(userExcludes ??= new Dockerignore(input.current.filter((p) => !p.exception))).includes(path);
  // A line can only drop files below the top-level entries its first path element matches: the
  // files are indexed by that element once, so each line looks at its own files, not at all of them.
  const byTop = new Map<string, number[]>();
  const into = (top: string, start: number, end: number) => {
    let list = byTop.get(top);
    if (!list) byTop.set(top, (list = []));
    for (let i = start; i < end; i++) list.push(i);
  };
  // A directory's files share its top-level entry; a file at the top is its own.
  for (const run of directoryRuns(visible)) {
    if (run.dir !== '') {
      const slash = run.dir.indexOf('/');
      into(slash < 0 ? run.dir : run.dir.slice(0, slash), run.start, run.end);
    } else for (let i = run.start; i < run.end; i++) into(visible[i]!.path, i, i + 1);
  }
  const gone = new Uint8Array(visible.length);
  /** Indices of the files (not dropped yet, in context order) that these patterns could exclude. */
  const scope = (patterns: IgnorePattern[]): number[] => {
    let tops: Set<string> | null = new Set();
    for (const p of patterns) {
      if (p.exception) continue;
      const slash = p.pattern.indexOf('/');
      const first = slash < 0 ? p.pattern : p.pattern.slice(0, slash);
      if (first.includes('**') || /[[\\]/.test(first)) {
        tops = null;
        break;
      }
      if (!/[*?]/.test(first)) tops.add(first);
      else {
        const glob = new CompiledPattern(first, false);
        for (const top of byTop.keys()) if (glob.matches(top)) tops.add(top);
      }
    }
    let indices: number[];
    if (tops === null) indices = Array.from(visible.keys());
    else {
      indices = [];
      for (const top of tops) for (const i of byTop.get(top) ?? []) indices.push(i);
      if (tops.size > 1) indices.sort((a, b) => a - b);
    }
    return indices.filter((i) => gone[i] === 0);
  };
  let nextLine = input.current.reduce((m, p) => Math.max(m, p.line), 0) + 1;
  for (const c of input.candidates) {
    if (lines.some((l) => l.line === c.line)) continue;
    let pattern: IgnorePattern[];
    try {
      pattern = Dockerignore.parse(c.line).patterns.map((p) => ({ ...p, line: nextLine }));
    } catch {
      continue;
    }
    if (pattern.length === 0) continue;
    // Appending a pattern can only drop a file that the pattern alone excludes (it or a parent
    // matches); those few are then checked against the whole list, quirks included.
    const remaining = scope(pattern);
    const alone = new Dockerignore(pattern);
    let suspects: number[];
    if (pattern.length === 1 && !pattern[0]!.exception && alone.list.compiled[0]!.type === 'exact') {
      // A plain path excludes itself and what is below it: with no `/`, that is every file of
      // its top-level entry (all that scope gave).
      const p = pattern[0]!.pattern;
      suspects = !p.includes('/') ? remaining : remaining.filter((i) => {
        const path = visible[i]!.path;
        return path.startsWith(p) && (path.length === p.length || path[p.length] === '/');
      });
    } else {
      const aloneKept = new Set(visibleFiles(remaining.map((i) => visible[i]!), alone));
      suspects = remaining.filter((i) => !aloneKept.has(visible[i]!));
    }
    if (suspects.length === 0) continue;
    const trial = new Dockerignore([...input.current, ...chosen, ...pattern]);
    // Without any `!` exception a match anywhere excludes: every suspect is dropped.
    let droppedIdx = suspects;
    if (trial.list.exclusions) {
      const stillKept = new Set(visibleFiles(suspects.map((i) => visible[i]!), trial));
      droppedIdx = suspects.filter((i) => !stillKept.has(visible[i]!));
    }
    if (droppedIdx.length === 0) continue;
    const dropped = droppedIdx.map((i) => visible[i]!);
    const needed = protectedFiles.size > 0 ? dropped.find((f) => protectedFiles.has(f.path)) : undefined;
    if (needed) {
      skipped.push({ line: c.line, why: `a COPY or ADD in the Dockerfile needs ${needed.path}` });
      continue;
    }
    const exception = hasExceptions ? dropped.find((f) => keptByException(f.path)) : undefined;
    if (exception) {
      skipped.push({ line: c.line, why: `it would override your \`!\` exception that keeps ${exception.path}` });
      continue;
    }
    chosen.push(...pattern);
    nextLine++;
    lines.push({ line: c.line, reason: c.reason, ...totals(dropped) });
    for (const i of droppedIdx) gone[i] = 1;
  }
  const saves = lines.reduce((t, l) => ({ files: t.files + l.files, bytes: t.bytes + l.bytes }), { files: 0, bytes: 0 });
  return { lines, skipped, saves };
}

/** The ignore file's text with `add` appended (never reordering or dropping a line of the user's). */
export function appendIgnoreLines(text: string, add: readonly IgnoreLine[], describe: (l: IgnoreLine) => string): string {
  if (add.length === 0) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = text;
  if (out !== '' && !out.endsWith('\n')) out += eol;
  if (out !== '' && !/(\r?\n){2}$/.test(out)) out += eol;
  out += `# Added by buildlens context --fix${eol}`;
  for (const l of add) out += `# ${describe(l)}${eol}${l.line}${eol}`;
  return out;
}

/** A unified diff of an ignore file's old and new text, where the new text only appends lines. */
export function appendDiff(path: string, before: string | null, after: string): string {
  const split = (t: string) => (t === '' ? [] : t.replace(/\r?\n$/, '').split(/\r?\n/));
  const a = split(before ?? '');
  const b = split(after);
  const missingEol = before !== null && before !== '' && !before.endsWith('\n');
  // Lines of `a` stay; the hunk starts at the last line of `a` when it lacked a newline.
  const keep = missingEol ? a.length - 1 : a.length;
  const removed = a.slice(keep);
  const added = b.slice(keep);
  const header = [`--- ${before === null ? '/dev/null' : `a/${path}`}`, `+++ b/${path}`];
  // Up to three unchanged lines before the change, so that `git apply` and `patch` take it.
  const context = a.slice(Math.max(0, keep - 3), keep);
  const start = keep - context.length;
  const oldCount = context.length + removed.length;
  const newCount = context.length + added.length;
  const hunk = `@@ -${oldCount === 0 ? start : start + 1},${oldCount} +${newCount === 0 ? start : start + 1},${newCount} @@`;
  const body = [...context.map((l) => ` ${l}`), ...removed.map((l) => `-${l}`), ...(missingEol ? ['\\ No newline at end of file'] : []), ...added.map((l) => `+${l}`)];
  return [...header, hunk, ...body].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Git-ignored files

const GITIGNORE = /(^|\/)\.gitignore$/;

type IgnoreFactory = typeof import('ignore');
let ignoreFactory: IgnoreFactory | undefined;
/** The `ignore` package, loaded on first use: most contexts have no `.gitignore` to read. */
function loadIgnore(): IgnoreFactory {
  return (ignoreFactory ??= createRequire(import.meta.url)('ignore') as IgnoreFactory);
}

/** `.gitignore` files, read with the `ignore` package (gitignore rules), each applying below its directory. */
export function gitIgnoredFiles(files: readonly ContextFile[], gitignores: readonly ContextFile[]): ContextFile[] {
  const sources = gitignores
    .filter((f) => f.content !== undefined && GITIGNORE.test(f.path))
    .map((f) => ({ dir: f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/') + 1) : '', ig: loadIgnore()().add(f.content!) }))
    .sort((a, b) => a.dir.length - b.dir.length);
  if (sources.length === 0) return [];
  return files.filter((f) => {
    if (f.path === '.git' || f.path.startsWith('.git/')) return false;
    let ignored = false;
    for (const s of sources) {
      if (!f.path.startsWith(s.dir)) continue;
      const r = s.ig.test(f.path.slice(s.dir.length));
      if (r.ignored) ignored = true;
      else if (r.unignored) ignored = false;
    }
    return ignored;
  });
}

/** Group git-ignored files by the outermost directory whose files are all git-ignored (else the file). */
export function groupByDirectory(ignored: readonly ContextFile[], visible: readonly ContextFile[]): SizedPath[] {
  const ignoredSet = new Set(ignored.map((f) => f.path));
  const dirs = directorySizes(visible);
  const ignoredDirs = directorySizes(ignored);
  const groups = new Map<string, Totals>();
  for (const f of ignored) {
    let key = f.path;
    let i = f.path.indexOf('/');
    while (i >= 0) {
      const d = f.path.slice(0, i);
      if (dirs.get(d)?.files === ignoredDirs.get(d)?.files) {
        key = d;
        break;
      }
      i = f.path.indexOf('/', i + 1);
    }
    const g = groups.get(key);
    if (g) {
      g.files++;
      g.bytes += f.size;
    } else groups.set(key, { files: 1, bytes: f.size });
  }
  void ignoredSet;
  return [...groups].map(([path, t]) => ({ path, ...t })).sort(bySize);
}

// ---------------------------------------------------------------------------------------------
// Files a whole-context COPY sends that no step needs

const BUILD_IRRELEVANT = /^(Dockerfile[^/]*|[^/]*\.Dockerfile|[^/]*\.dockerignore|\.dockerignore|(docker-)?compose[^/]*\.ya?ml|\.github\/.*|\.gitlab\/.*|\.gitlab-ci\.yml|\.circleci\/.*|\.travis\.yml|Jenkinsfile|azure-pipelines\.yml|\.gitignore|\.gitattributes)$/;

export function buildIrrelevantFiles(files: readonly ContextFile[]): ContextFile[] {
  // Only `.github/`, `.gitlab/` and `.circleci/` lines reach below the top level: a path with a `/`
  // that does not start with a dot cannot match (a cheaper test than the pattern, on most files).
  // By directory: only the top level and directories starting with a dot are looked at.
  const out: ContextFile[] = [];
  for (const run of directoryRuns(files)) {
    if (run.dir !== '' && run.dir.charCodeAt(0) !== 0x2e) continue;
    for (let i = run.start; i < run.end; i++) if (BUILD_IRRELEVANT.test(files[i]!.path)) out.push(files[i]!);
  }
  return out;
}

/** `.github/x` → `.github`; `Dockerfile.dev` → `Dockerfile*` style lines for the files given. */
export function irrelevantLines(files: readonly ContextFile[]): string[] {
  const lines = new Set<string>();
  for (const f of files) {
    const top = f.path.split('/')[0]!;
    if (f.path.includes('/')) lines.add(top);
    else if (/^Dockerfile/.test(f.path)) lines.add('Dockerfile*');
    else if (/\.Dockerfile$/.test(f.path)) lines.add('*.Dockerfile');
    else if (/compose[^/]*\.ya?ml$/.test(f.path)) lines.add(f.path.startsWith('docker-') ? 'docker-compose*.y*ml' : 'compose*.y*ml');
    else lines.add(f.path);
  }
  return [...lines];
}

// ---------------------------------------------------------------------------------------------
// Everything the context analyzers and the command need, computed once per analyzer context

export interface ContextFacts {
  ignore: Dockerignore | null;
  /** The ignore file could not be read as BuildKit reads it (the build fails). */
  ignoreError: string | null;
  visible: ContextFile[];
  use: ContextUse | null;
  transfer: ContextFile[];
  junk: JunkGroup[];
  secrets: SecretFile[];
  gitIgnored: SizedPath[];
  /** Visible files a whole-context COPY sends that no step needs (Dockerfile, CI config, …). */
  irrelevant: ContextFile[];
  proposal: IgnoreProposal;
}

const FACTS = new WeakMap<object, ContextFacts>();

/** The facts of an analyzer context (cached on its `context` object). */
export function contextFacts(ctx: AnalyzerContext): ContextFacts | null {
  const c = ctx.context;
  if (!c) return null;
  const known = FACTS.get(c);
  if (known) return known;
  let ignore: Dockerignore | null = null;
  let ignoreError: string | null = null;
  if (c.dockerignore && !c.dockerignore.missing) {
    try {
      ignore = Dockerignore.parse(c.dockerignore.text);
    } catch (err) {
      ignoreError = err instanceof Error ? err.message : String(err);
    }
  }
  const visible = c.filtered ? c.files : visibleFiles(c.files, ignore);
  const use = ctx.dockerfile ? contextUse(ctx.dockerfile.parsed, c.target) : null;
  const transfer = transferFiles(visible, use);
  const junk = findJunk(visible);
  const secrets = findSecrets(visible);
  // `.gitignore` files with their text (the scanner reads them): without any, nothing is git-ignored.
  const gitSources: ContextFile[] = [];
  for (const list of [visible, c.excluded ?? [], c.filtered ? [] : c.files]) {
    for (const f of list) if (f.content !== undefined && GITIGNORE.test(f.path)) gitSources.push(f);
  }
  let gitIgnored: SizedPath[] = [];
  if (gitSources.length > 0) {
    const junkIgnore = junk.length > 0 ? new Dockerignore(parseDockerignore(junk.map((j) => j.pattern).join('\n'))) : null;
    const afterJunk = junkIgnore ? visibleFiles(visible, junkIgnore) : visible;
    gitIgnored = groupByDirectory(gitIgnoredFiles(afterJunk, gitSources), afterJunk);
  }
  const wholeCopy = use?.sources.some((s) => s.path === '.') ?? false;
  const irrelevant = wholeCopy ? buildIrrelevantFiles(visible) : [];
  const candidates = [
    ...junk.map((j) => ({ line: j.pattern, reason: JUNK_LABEL[j.category] })),
    ...secrets.map((s) => ({ line: s.path, reason: `secret: ${s.kind}` })),
    ...gitIgnored.map((g) => ({ line: g.path, reason: 'ignored by git' })),
    ...irrelevantLines(irrelevant).map((line) => ({ line, reason: 'not needed by the build' })),
  ];
  const proposal = ignoreError
    ? { lines: [], skipped: [], saves: { files: 0, bytes: 0 } }
    : proposeIgnoreLines({ visible, current: ignore?.patterns ?? [], candidates, use });
  const facts: ContextFacts = { ignore, ignoreError, visible, use, transfer, junk, secrets, gitIgnored, irrelevant, proposal };
  FACTS.set(c, facts);
  return facts;
}
