// Splitting a `buildlens build` command line into buildlens's own options and docker's arguments, and
// reading what buildlens needs from docker's (context, Dockerfile, target, build-args, …) without
// changing them. buildlens's own flags are long and never collide with docker's; to find the context
// without `--`, the table below says which docker flags take a value.

/** `docker build` / `docker buildx build` flags that take a value (as cobra reads them: `--flag value` or `--flag=value`). */
export const DOCKER_VALUE_FLAGS: ReadonlySet<string> = new Set([
  'add-host', 'allow', 'annotation', 'attest', 'build-arg', 'build-context', 'builder', 'cache-from',
  'cache-to', 'call', 'cgroup-parent', 'cpu-period', 'cpu-quota', 'cpu-shares', 'cpuset-cpus',
  'cpuset-mems', 'file', 'iidfile', 'isolation', 'label', 'memory', 'memory-swap', 'metadata-file',
  'network', 'no-cache-filter', 'output', 'platform', 'print', 'progress', 'provenance', 'sbom',
  'secret', 'security-opt', 'shm-size', 'ssh', 'tag', 'target', 'ulimit',
  // buildx experimental / legacy-only
  'root', 'server-config', 'invoke', 'on', 'storage-opt', 'disable-content-trust-key',
]);

/** Short docker flags that take a value: -t TAG, -f FILE, -o OUT, -m MEM, -c SHARES. */
export const DOCKER_SHORT_VALUE_FLAGS: ReadonlySet<string> = new Set(['t', 'f', 'o', 'm', 'c']);

/** buildlens's own options of `build`; everything else goes to docker. */
export const BUILDLENS_VALUE_FLAGS = [
  'view', 'report', 'log', 'format', 'redact', 'fail-on', 'config', 'baseline',
  'max-duration', 'max-step-duration', 'min-cache-ratio', 'max-context', 'max-regression',
] as const;
export const BUILDLENS_BOOLEAN_FLAGS = ['no-color', 'no-history', 'annotations', 'help'] as const;

export type BuildlensValueFlag = (typeof BUILDLENS_VALUE_FLAGS)[number];
export type BuildlensBooleanFlag = (typeof BUILDLENS_BOOLEAN_FLAGS)[number];

export interface BuildlensOptions {
  view?: string;
  report?: string;
  log?: string;
  format?: string;
  failOn?: string;
  config?: string;
  /** `--baseline FILE`: the report `--max-regression` compares with. */
  baseline?: string;
  /** Budget flags as given (`--max-duration 5m`, …), keyed by flag name. */
  budgets: Partial<Record<'max-duration' | 'max-step-duration' | 'min-cache-ratio' | 'max-context' | 'max-regression', string>>;
  /** Extra build-arg names whose values are masked (`--redact NAME`, repeatable). */
  redact: string[];
  noColor: boolean;
  noHistory: boolean;
  /** `--annotations`: findings as GitHub workflow commands (on stderr). */
  annotations: boolean;
  help: boolean;
}

export interface BuildArg {
  name: string;
  /** The value given on the command line; null for `--build-arg NAME` (docker reads it from the environment). */
  value: string | null;
}

export interface SecretArg {
  id: string | null;
  /** `env=NAME`: the environment variable whose value is the secret. */
  env: string | null;
  src: string | null;
}

/** What buildlens reads from docker's arguments (which it passes on unchanged, except --progress and -q). */
export interface DockerBuildArgs {
  /** The arguments for docker, as given, without --progress and -q/--quiet (buildlens sets the progress itself). */
  args: string[];
  /** The build context (a path, a URL or `-`), or null when none was given. */
  context: string | null;
  /** `-f`/`--file`, as given. */
  dockerfile: string | null;
  target: string | null;
  platform: string | null;
  builder: string | null;
  tags: string[];
  buildArgs: BuildArg[];
  secrets: SecretArg[];
  /** `--progress` as the user gave it (understood as the view). */
  progress: string | null;
  /** `-q`/`--quiet` was given: docker prints only the image id on stdout. */
  quiet: boolean;
  /** `--iidfile`, as given. */
  iidfile: string | null;
  /** `-o`/`--output` values. */
  outputs: string[];
  /** `--cache-from` / `--cache-to` values, as given. */
  cacheFrom: string[];
  cacheTo: string[];
  /** `--no-cache`, `--no-cache-filter` (stages), `--pull`: what disables cache or re-resolves the base images. */
  noCache: boolean;
  noCacheFilter: string[];
  pull: boolean;
}

export interface SplitCommandLine {
  own: BuildlensOptions;
  docker: DockerBuildArgs;
}

/** A command line buildlens cannot split: the message is one sentence. */
export class DockerArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerArgsError';
  }
}

const OWN_VALUE: ReadonlySet<string> = new Set(BUILDLENS_VALUE_FLAGS);
const OWN_BOOLEAN: ReadonlySet<string> = new Set(BUILDLENS_BOOLEAN_FLAGS);

function emptyOwn(): BuildlensOptions {
  return { redact: [], budgets: {}, noColor: false, noHistory: false, annotations: false, help: false };
}

function setOwn(own: BuildlensOptions, name: string, value: string): void {
  switch (name as BuildlensValueFlag) {
    case 'view': own.view = value; break;
    case 'report': own.report = value; break;
    case 'log': own.log = value; break;
    case 'format': own.format = value; break;
    case 'fail-on': own.failOn = value; break;
    case 'config': own.config = value; break;
    case 'baseline': own.baseline = value; break;
    case 'max-duration': case 'max-step-duration': case 'min-cache-ratio': case 'max-context': case 'max-regression':
      own.budgets[name as keyof BuildlensOptions['budgets']] = value; break;
    case 'redact': own.redact.push(...value.split(',').map((s) => s.trim()).filter(Boolean)); break;
  }
}

/**
 * Split `argv` (what follows `buildlens build`). Before `--`, buildlens's own long flags are taken
 * out; everything else, and everything after `--`, is docker's, in order.
 */
export function splitBuildCommandLine(argv: readonly string[]): SplitCommandLine {
  const own = emptyOwn();
  const dockerArgv: string[] = [];
  let i = 0;
  let afterDashes = false;
  while (i < argv.length) {
    const a = argv[i]!;
    if (afterDashes) {
      dockerArgv.push(a);
      i++;
      continue;
    }
    if (a === '--') {
      afterDashes = true;
      i++;
      continue;
    }
    if (a === '-h') {
      own.help = true;
      i++;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (OWN_VALUE.has(name)) {
        let value: string | undefined;
        if (eq >= 0) value = a.slice(eq + 1);
        else {
          value = argv[i + 1];
          i++;
        }
        if (value === undefined || value === '') throw new DockerArgsError(`option \`--${name}\` needs a value`);
        setOwn(own, name, value);
        i++;
        continue;
      }
      if (OWN_BOOLEAN.has(name)) {
        if (eq >= 0) throw new DockerArgsError(`option \`--${name}\` takes no value`);
        if (name === 'no-color') own.noColor = true;
        else if (name === 'no-history') own.noHistory = true;
        else if (name === 'annotations') own.annotations = true;
        else own.help = true;
        i++;
        continue;
      }
      // docker's: keep a flag and its value together so a value is never taken for ours.
      dockerArgv.push(a);
      if (eq < 0 && DOCKER_VALUE_FLAGS.has(name) && i + 1 < argv.length) {
        dockerArgv.push(argv[i + 1]!);
        i += 2;
        continue;
      }
      i++;
      continue;
    }
    dockerArgv.push(a);
    const takes = shortTakesNext(a);
    if (takes && i + 1 < argv.length) {
      dockerArgv.push(argv[i + 1]!);
      i += 2;
      continue;
    }
    i++;
  }
  return { own, docker: readDockerArgs(dockerArgv) };
}

/** `-t` (value next), `-qt` (value next), `-tapp` (value attached): does a short cluster take the next argument? */
function shortTakesNext(a: string): boolean {
  if (!a.startsWith('-') || a.startsWith('--') || a.length < 2) return false;
  for (let k = 1; k < a.length; k++) {
    if (DOCKER_SHORT_VALUE_FLAGS.has(a[k]!)) return k === a.length - 1;
  }
  return false;
}

function parseBuildArg(value: string): BuildArg {
  const eq = value.indexOf('=');
  return eq < 0 ? { name: value, value: null } : { name: value.slice(0, eq), value: value.slice(eq + 1) };
}

function parseSecret(value: string): SecretArg {
  const secret: SecretArg = { id: null, env: null, src: null };
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    if (key === 'id') secret.id = v;
    else if (key === 'env') secret.env = v;
    else if (key === 'src' || key === 'source') secret.src = v;
  }
  // `--secret id=TOKEN` with neither src nor env: buildx reads the env variable TOKEN if there is one.
  if (secret.env === null && secret.src === null && secret.id) secret.env = secret.id;
  return secret;
}

/** Read docker's arguments: the context, -f, --target, build-args, secrets… Drops --progress and -q. */
export function readDockerArgs(argv: readonly string[]): DockerBuildArgs {
  const out: DockerBuildArgs = {
    args: [], context: null, dockerfile: null, target: null, platform: null, builder: null, tags: [],
    buildArgs: [], secrets: [], progress: null, quiet: false, iidfile: null, outputs: [], cacheFrom: [], cacheTo: [],
    noCache: false, noCacheFilter: [], pull: false,
  };
  const take = (name: string, value: string): boolean => {
    switch (name) {
      case 'file': case 'f': out.dockerfile = value; break;
      case 'target': out.target = value; break;
      case 'platform': out.platform = value; break;
      case 'builder': out.builder = value; break;
      case 'tag': case 't': out.tags.push(value); break;
      case 'build-arg': out.buildArgs.push(parseBuildArg(value)); break;
      case 'secret': out.secrets.push(parseSecret(value)); break;
      case 'iidfile': out.iidfile = value; break;
      case 'output': case 'o': out.outputs.push(value); break;
      case 'cache-from': out.cacheFrom.push(value); break;
      case 'cache-to': out.cacheTo.push(value); break;
      case 'no-cache-filter': out.noCacheFilter.push(...value.split(',').map((v) => v.trim()).filter(Boolean)); break;
      case 'progress': out.progress = value; return false;
    }
    return true;
  };
  let i = 0;
  let positional = false;
  while (i < argv.length) {
    const a = argv[i]!;
    if (positional || a === '-' || !a.startsWith('-')) {
      if (out.context === null) out.context = a;
      else throw new DockerArgsError(`docker build takes one build context, but got \`${out.context}\` and \`${a}\``);
      out.args.push(a);
      i++;
      continue;
    }
    if (a === '--') {
      positional = true;
      out.args.push(a);
      i++;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (name === 'quiet') {
        out.quiet = true;
        i++;
        continue;
      }
      if (DOCKER_VALUE_FLAGS.has(name)) {
        let value: string;
        let used: number;
        if (eq >= 0) {
          value = a.slice(eq + 1);
          used = 1;
        } else {
          if (i + 1 >= argv.length) throw new DockerArgsError(`docker's option \`--${name}\` needs a value`);
          value = argv[i + 1]!;
          used = 2;
        }
        if (take(name, value)) out.args.push(...argv.slice(i, i + used));
        i += used;
        continue;
      }
      // A boolean, or one whose value is optional and only ever attached (`--check`, `--check=true`).
      if (name === 'no-cache' || name === 'pull') {
        const on = eq < 0 || !/^(false|0)$/i.test(a.slice(eq + 1));
        if (name === 'no-cache') out.noCache = on;
        else out.pull = on;
      }
      out.args.push(a);
      i++;
      continue;
    }
    // A short cluster: -q, -t app, -tapp, -qt app.
    let rest = a.slice(1);
    let kept = '';
    let consumedNext = false;
    while (rest.length > 0) {
      const c = rest[0]!;
      rest = rest.slice(1);
      if (c === 'q') {
        out.quiet = true;
        continue;
      }
      if (DOCKER_SHORT_VALUE_FLAGS.has(c)) {
        let value = rest;
        if (value === '') {
          if (i + 1 >= argv.length) throw new DockerArgsError(`docker's option \`-${c}\` needs a value`);
          value = argv[i + 1]!;
          consumedNext = true;
        }
        take(c, value);
        kept += c;
        if (kept.length > 0) out.args.push('-' + kept);
        if (consumedNext) out.args.push(value);
        else if (rest !== '') out.args[out.args.length - 1] += rest;
        kept = '';
        rest = '';
        break;
      }
      kept += c;
    }
    if (kept.length > 0) out.args.push('-' + kept);
    i += consumedNext ? 2 : 1;
  }
  return out;
}
