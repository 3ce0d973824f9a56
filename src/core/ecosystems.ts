// What buildlens knows about package managers, in one table: per ecosystem, the manifest files an
// install reads, how its install commands look in a RUN, whether an install needs nothing but those
// manifests (and what to add when it needs the sources), where it caches downloads, and how to clean
// up. Pure data plus small pure functions; the facts and their sources are in
// ../shared/research/dockerfile-rules-catalogue.md (§4) and docs/rules/copy-before-install.md.
import { instructionBody, type Dockerfile, type Stage } from './dockerfile.js';
import type { EcosystemOverride, EcosystemOverrides } from './config.js';

export type { EcosystemOverride, EcosystemOverrides };

export type EcosystemId =
  | 'npm' | 'yarn' | 'pnpm' | 'bun'
  | 'pip' | 'pipenv' | 'poetry' | 'uv'
  | 'go' | 'cargo' | 'maven' | 'gradle' | 'dotnet'
  | 'bundler' | 'composer'
  | 'apt' | 'apk' | 'dnf';

/** Where a cache lives: an absolute path, or one under the user's HOME; an ENV variable overrides it. */
export interface CacheLocation {
  /** Variables that set the cache directory itself (first set wins), e.g. `npm_config_cache`. */
  env: string[];
  /** The default: `~/…` is under HOME, `$XDG/…` under XDG_CACHE_HOME (default ~/.cache), else absolute. */
  path: string;
  /**
   * True when the directory holds the installed packages themselves (Go's module cache, a gem
   * home), not just downloads: a cache mount there would leave them out of the image, so none is
   * proposed.
   */
  holdsInstalled?: boolean;
}

export interface Ecosystem {
  id: EcosystemId;
  /** Language package managers read manifests from the context; OS ones take package names inline. */
  kind: 'language' | 'os';
  /** Manifest files (base names) an install reads; a file matching one of these at the install dir is copied. */
  manifests: string[];
  /** Of `manifests`, those without which the install cannot run (none: any one of them). */
  required: string[];
  /** Lockfiles: JS installs are only fixed when one exists (without it the install writes one). */
  lockfiles?: string[];
  /** Recognise a simple command (words, wrappers stripped) as this ecosystem's dependency install. */
  isInstall(words: string[]): boolean;
  /** The download cache (for a `--mount=type=cache` target), or null where there is none worth mounting. */
  cache: CacheLocation | null;
  /** The clean-up idiom when no cache mount is used. */
  cleanup: string;
  /** Cache directories set in `.buildlens.json` (`ecosystems.<id>.cachePaths`): they win over `cache`. */
  cachePaths?: string[];
}

const has = (words: string[], ...flags: string[]) => words.some((w) => flags.some((f) => w === f || w.startsWith(f + '=')));
const sub = (words: string[], i = 1) => words.slice(i).find((w) => !w.startsWith('-'));

export const ECOSYSTEMS: readonly Ecosystem[] = [
  {
    id: 'npm', kind: 'language',
    manifests: ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc'], required: ['package.json'],
    lockfiles: ['package-lock.json', 'npm-shrinkwrap.json'],
    isInstall: (w) => w[0] === 'npm' && ['ci', 'install', 'i', 'it', 'install-ci-test', 'clean-install'].includes(sub(w) ?? '') && !has(w, '-g', '--global'),
    cache: { env: ['npm_config_cache', 'NPM_CONFIG_CACHE'], path: '~/.npm' },
    cleanup: 'npm cache clean --force',
  },
  {
    id: 'yarn', kind: 'language',
    manifests: ['package.json', 'yarn.lock', '.yarnrc', '.yarnrc.yml', '.npmrc'], required: ['package.json'],
    lockfiles: ['yarn.lock'],
    isInstall: (w) => w[0] === 'yarn' && (sub(w) === undefined || sub(w) === 'install'),
    cache: { env: ['YARN_CACHE_FOLDER'], path: '$XDG/yarn' },
    cleanup: 'yarn cache clean',
  },
  {
    id: 'pnpm', kind: 'language',
    manifests: ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', '.pnpmfile.cjs'], required: ['package.json'],
    lockfiles: ['pnpm-lock.yaml'],
    isInstall: (w) => w[0] === 'pnpm' && ['install', 'i', 'fetch'].includes(sub(w) ?? ''),
    cache: { env: ['PNPM_STORE_DIR'], path: '~/.local/share/pnpm/store' },
    cleanup: 'pnpm store prune',
  },
  {
    id: 'bun', kind: 'language',
    manifests: ['package.json', 'bun.lock', 'bun.lockb', 'bunfig.toml'], required: ['package.json'],
    lockfiles: ['bun.lock', 'bun.lockb'],
    isInstall: (w) => w[0] === 'bun' && ['install', 'i'].includes(sub(w) ?? ''),
    cache: { env: ['BUN_INSTALL_CACHE_DIR'], path: '~/.bun/install/cache' },
    cleanup: 'bun install --no-cache',
  },
  {
    // The manifests of pip are the files named by -r/-c (found by requirementFiles), not fixed names.
    id: 'pip', kind: 'language', manifests: [], required: [],
    isInstall: (w) => pipArgs(w) !== null,
    cache: { env: ['PIP_CACHE_DIR'], path: '$XDG/pip' },
    cleanup: 'pip install --no-cache-dir',
  },
  {
    id: 'pipenv', kind: 'language', manifests: ['Pipfile', 'Pipfile.lock'], required: ['Pipfile'],
    isInstall: (w) => w[0] === 'pipenv' && ['install', 'sync'].includes(sub(w) ?? ''),
    cache: { env: ['PIPENV_CACHE_DIR'], path: '$XDG/pipenv' },
    cleanup: 'pipenv --clear',
  },
  {
    id: 'poetry', kind: 'language', manifests: ['pyproject.toml', 'poetry.lock', 'poetry.toml'], required: ['pyproject.toml'],
    isInstall: (w) => w[0] === 'poetry' && ['install', 'sync'].includes(sub(w) ?? ''),
    cache: { env: ['POETRY_CACHE_DIR'], path: '$XDG/pypoetry' },
    cleanup: 'rm -rf $POETRY_CACHE_DIR',
  },
  {
    id: 'uv', kind: 'language', manifests: ['pyproject.toml', 'uv.lock', '.python-version'], required: ['pyproject.toml'],
    isInstall: (w) => w[0] === 'uv' && sub(w) === 'sync',
    cache: { env: ['UV_CACHE_DIR'], path: '$XDG/uv' },
    cleanup: 'uv cache clean',
  },
  {
    id: 'go', kind: 'language', manifests: ['go.mod', 'go.sum', 'go.work', 'go.work.sum'], required: ['go.mod'],
    isInstall: (w) => w[0] === 'go' && ['mod', 'build', 'install', 'test', 'get', 'generate', 'run', 'vet'].includes(sub(w) ?? ''),
    // The module cache is where modules are installed: a mount there keeps them out of the layer.
    // The build cache (GOCACHE, ~/.cache/go-build) is a pure cache: that one is safe to mount.
    cache: { env: ['GOCACHE'], path: '$XDG/go-build' },
    cleanup: 'go clean -cache',
  },
  {
    id: 'cargo', kind: 'language', manifests: ['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'rust-toolchain'], required: ['Cargo.toml'],
    isInstall: (w) => w[0] === 'cargo' && ['build', 'fetch', 'install', 'test', 'chef'].includes(sub(w) ?? ''),
    // The registry holds the downloaded crates a later `cargo build` reads: installed, not cached.
    cache: { env: ['CARGO_HOME'], path: '~/.cargo/registry', holdsInstalled: true },
    cleanup: 'rm -rf $CARGO_HOME/registry $CARGO_HOME/git',
  },
  {
    id: 'maven', kind: 'language', manifests: ['pom.xml', 'mvnw', '.mvn'], required: ['pom.xml'],
    isInstall: (w) => /^(\.\/)?(mvn|mvnw)$/.test(w[0] ?? '') && w.slice(1).some((a) => /^(dependency:(go-offline|resolve)|package|install|verify|compile|test)$/.test(a)),
    cache: { env: [], path: '~/.m2', holdsInstalled: true },
    cleanup: 'rm -rf ~/.m2/repository',
  },
  {
    id: 'gradle', kind: 'language',
    manifests: ['settings.gradle', 'settings.gradle.kts', 'build.gradle', 'build.gradle.kts', 'gradle.properties', 'gradlew'], required: [],
    isInstall: (w) => /^(\.\/)?(gradle|gradlew)$/.test(w[0] ?? ''),
    cache: { env: ['GRADLE_USER_HOME'], path: '~/.gradle', holdsInstalled: true },
    cleanup: 'gradle --stop (use a multi-stage build)',
  },
  {
    id: 'dotnet', kind: 'language',
    manifests: ['NuGet.config', 'nuget.config', 'global.json', 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props', 'packages.lock.json'], required: [],
    isInstall: (w) => (w[0] === 'dotnet' && ['restore', 'build', 'publish', 'test'].includes(sub(w) ?? '')) || (w[0] === 'nuget' && sub(w) === 'restore'),
    cache: { env: ['NUGET_PACKAGES'], path: '~/.nuget/packages', holdsInstalled: true },
    cleanup: 'dotnet nuget locals all --clear',
  },
  {
    id: 'bundler', kind: 'language', manifests: ['Gemfile', 'Gemfile.lock', '.ruby-version'], required: ['Gemfile'],
    isInstall: (w) => w[0] === 'bundle' && (sub(w) === 'install' || sub(w) === undefined),
    // The official ruby image installs gems under GEM_HOME=/usr/local/bundle: installed, not cached.
    cache: { env: [], path: '/usr/local/bundle', holdsInstalled: true },
    cleanup: 'rm -rf ~/.bundle/ "${BUNDLE_PATH}"/ruby/*/cache',
  },
  {
    id: 'composer', kind: 'language', manifests: ['composer.json', 'composer.lock', 'auth.json'], required: ['composer.json'],
    isInstall: (w) => w[0] === 'composer' && sub(w) === 'install',
    cache: { env: ['COMPOSER_CACHE_DIR'], path: '$XDG/composer' },
    cleanup: 'composer clear-cache',
  },
  {
    id: 'apt', kind: 'os', manifests: [], required: [],
    isInstall: (w) => /^(apt-get|apt)$/.test(w[0] ?? '') && sub(w) === 'install',
    cache: { env: [], path: '/var/cache/apt' },
    cleanup: 'rm -rf /var/lib/apt/lists/*',
  },
  {
    id: 'apk', kind: 'os', manifests: [], required: [],
    isInstall: (w) => w[0] === 'apk' && sub(w) === 'add',
    cache: { env: [], path: '/var/cache/apk' },
    cleanup: 'apk add --no-cache',
  },
  {
    id: 'dnf', kind: 'os', manifests: [], required: [],
    isInstall: (w) => /^(dnf5?|yum|microdnf|tdnf)$/.test(w[0] ?? '') && sub(w) === 'install',
    cache: { env: [], path: '/var/cache/dnf' },
    cleanup: 'dnf clean all && rm -rf /var/cache/dnf',
  },
];

export function ecosystem(id: EcosystemId, table: readonly Ecosystem[] = ECOSYSTEMS): Ecosystem {
  return table.find((e) => e.id === id) ?? ECOSYSTEMS.find((e) => e.id === id)!;
}

/** Does the simple command start with one of these commands, word by word (wrappers and `VAR=` prefixes stripped)? */
export function startsWithCommand(command: string, patterns: readonly string[]): boolean {
  const words = commandWords(command);
  return patterns.some((p) => {
    const want = p.trim().split(/\s+/).filter(Boolean);
    return want.length > 0 && want.every((w, i) => words[i] === w);
  });
}

/**
 * The ecosystem table with the config's overrides: a known ecosystem also recognises the install
 * commands given and reads the manifests given, and its cache is where the config says; an id that
 * is not known is a custom ecosystem of its own (a language one). Without overrides, ECOSYSTEMS.
 */
export function ecosystemTable(overrides: EcosystemOverrides | undefined): readonly Ecosystem[] {
  if (!overrides || Object.keys(overrides).length === 0) return ECOSYSTEMS;
  const table: Ecosystem[] = ECOSYSTEMS.map((base) => {
    const o = overrides[base.id];
    if (!o) return base;
    const commands = o.installCommands ?? [];
    return {
      ...base,
      manifests: [...base.manifests, ...(o.manifests ?? []).filter((m) => !base.manifests.includes(m))],
      isInstall: (w: string[]) => base.isInstall(w) || (commands.length > 0 && startsWithCommand(w.join(' '), commands)),
      ...(o.cachePaths && o.cachePaths.length > 0 ? { cachePaths: [...o.cachePaths] } : {}),
    };
  });
  for (const [id, o] of Object.entries(overrides)) {
    if (ECOSYSTEMS.some((e) => e.id === id)) continue;
    const commands = o.installCommands ?? [];
    table.push({
      id: id as EcosystemId,
      kind: 'language',
      manifests: [...(o.manifests ?? [])],
      required: [],
      isInstall: (w: string[]) => commands.length > 0 && startsWithCommand(w.join(' '), commands),
      cache: null,
      cleanup: o.cachePaths && o.cachePaths.length > 0 ? `rm -rf ${o.cachePaths.join(' ')}` : '',
      ...(o.cachePaths && o.cachePaths.length > 0 ? { cachePaths: [...o.cachePaths] } : {}),
    });
  }
  return table;
}

/** Is this a custom ecosystem (one that only the config defines)? */
export function isCustomEcosystem(id: string): boolean {
  return !ECOSYSTEMS.some((e) => e.id === id);
}

const WRAPPERS = new Set(['sudo', 'env', 'time', 'exec', 'command', 'nice', 'nohup']);

/** The words of a simple command with `sudo`, `env`, `VAR=value` prefixes and the tool's path stripped. */
export function commandWords(command: string): string[] {
  const words = command.trim().split(/\s+/).filter(Boolean);
  let i = 0;
  while (i < words.length && (WRAPPERS.has(words[i]!) || /^[A-Za-z_]\w*=/.test(words[i]!) || (i > 0 && WRAPPERS.has(words[i - 1]!) && words[i]!.startsWith('-')))) i++;
  const rest = words.slice(i);
  if (rest[0]) rest[0] = rest[0].startsWith('./') ? rest[0] : rest[0].replace(/^.*\//, '');
  // `python -m pip …` is pip.
  if (/^python[\d.]*$/.test(rest[0] ?? '') && rest[1] === '-m' && /^pip\d?$/.test(rest[2] ?? '')) return ['pip', ...rest.slice(3)];
  if (/^pip\d?(\.\d+)?$/.test(rest[0] ?? '')) rest[0] = 'pip';
  return rest;
}

/** `pip install …` (and `uv pip install`): the arguments after `install`, or null when it is not one. */
function pipArgs(w: string[]): string[] | null {
  if (w[0] === 'pip' && sub(w) === 'install') return w.slice(w.indexOf('install') + 1);
  if (w[0] === 'uv' && w[1] === 'pip' && (w[2] === 'install' || w[2] === 'sync')) return w.slice(3);
  return null;
}

/** The ecosystem whose dependency install this simple command is, or null. */
export function installEcosystem(command: string, table: readonly Ecosystem[] = ECOSYSTEMS): Ecosystem | null {
  const w = commandWords(command);
  if (w.length === 0) return null;
  return table.find((e) => e.isInstall(w)) ?? null;
}

/** What an install needs from the build context. */
export interface InstallNeeds {
  ecosystem: EcosystemId;
  /** True when the install reads nothing but its manifests. */
  manifestsOnly: boolean;
  /** Why it needs more (for the message), when it does. */
  reason?: string;
  /**
   * The lines that give it a manifests-only step, to run before the whole-context COPY
   * (`RUN go mod download`, `RUN poetry install --no-root`), when there is such a step.
   */
  dependencyStep?: string;
  /** Requirement files named by `pip install -r/-c` (relative to the install dir). */
  requirementFiles?: string[];
}

/**
 * Does this install command need only its manifests? Looks at the command alone; what the manifests
 * say (lifecycle scripts, `-e .` in requirements, workspaces) is checked by `manifestProblems`.
 */
export function installNeeds(command: string, table: readonly Ecosystem[] = ECOSYSTEMS): InstallNeeds | null {
  const w = commandWords(command);
  const eco = table.find((e) => e.isInstall(w));
  if (!eco) return null;
  const verb = sub(w) ?? '';
  const needs = (reason: string, dependencyStep?: string): InstallNeeds => ({ ecosystem: eco.id, manifestsOnly: false, reason, ...(dependencyStep ? { dependencyStep } : {}) });
  if (isCustomEcosystem(eco.id)) {
    // A custom ecosystem reads the manifests the config lists; without any, it may read anything.
    return eco.manifests.length > 0 ? { ecosystem: eco.id, manifestsOnly: true } : needs('the config lists no manifests for it');
  }
  switch (eco.id) {
    case 'npm': case 'yarn': case 'pnpm': case 'bun': {
      // `npm install ./pkg` or `npm install .` installs local sources.
      const local = w.slice(2).find((a) => !a.startsWith('-') && /^(\.|\.\.|\.?\.?\/|file:)/.test(a));
      if (local) return needs(`\`${local}\` is a local path`);
      return { ecosystem: eco.id, manifestsOnly: true };
    }
    case 'pip': {
      const args = pipArgs(w) ?? [];
      const files: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        const m = /^(-r|-c|--requirement|--constraint)(?:=(.+))?$/.exec(a) ?? /^(-r|-c)(.+)$/.exec(a);
        if (m) {
          const f = m[2] ?? args[++i];
          if (f) files.push(f);
          continue;
        }
        if (a === '-e' || a === '--editable') return needs('it installs the project in editable mode (`-e`)');
        if (!a.startsWith('-') && /^(\.|\.\.|\.?\.?\/|file:)/.test(a)) return needs(`\`${a}\` is a local path`);
        if (!a.startsWith('-') && /\.(whl|tar\.gz|zip)$/.test(a)) return needs(`\`${a}\` is a local file`);
      }
      if (files.length === 0) return null; // packages named inline: nothing read from the context
      return { ecosystem: 'pip', manifestsOnly: true, requirementFiles: files };
    }
    case 'pipenv':
      return { ecosystem: eco.id, manifestsOnly: true };
    case 'poetry':
      if (has(w, '--no-root')) return { ecosystem: eco.id, manifestsOnly: true };
      return needs('without `--no-root` it also installs the project itself', 'RUN poetry install --no-root');
    case 'uv':
      if (has(w, '--no-install-project') || has(w, '--no-install-workspace')) return { ecosystem: eco.id, manifestsOnly: true };
      return needs('without `--no-install-project` it also installs the project itself', 'RUN uv sync --locked --no-install-project');
    case 'go':
      if (verb === 'mod' && w.includes('download')) return { ecosystem: eco.id, manifestsOnly: true };
      return needs(`\`go ${verb}\` compiles the sources`, 'RUN go mod download');
    case 'cargo':
      return needs(`\`cargo ${verb}\` needs the crate's sources (even \`cargo fetch\` needs its targets)`, 'cargo-chef (`cargo chef prepare` in a planner stage, `RUN cargo chef cook --release --recipe-path recipe.json` here), or a stub `src/main.rs` and `RUN cargo fetch`');
    case 'maven':
      if (w.some((a) => /^dependency:(go-offline|resolve)$/.test(a))) return { ecosystem: eco.id, manifestsOnly: true };
      return needs(`\`${w.slice(1).filter((a) => !a.startsWith('-')).join(' ')}\` compiles the sources`, 'RUN mvn -B dependency:go-offline');
    case 'gradle':
      return needs('Gradle build scripts are code and the task compiles the sources', 'RUN gradle dependencies --no-daemon');
    case 'dotnet':
      if (verb === 'restore' || w[0] === 'nuget') return needs('restore reads every project file (*.csproj) of the solution, wherever it lives', 'COPY every *.csproj (keeping its directory; `COPY --parents **/*.csproj ./`) before `RUN dotnet restore`');
      return needs(`\`dotnet ${verb}\` compiles the sources`, 'RUN dotnet restore (after copying the *.csproj files), then build with --no-restore');
    case 'bundler':
      return { ecosystem: eco.id, manifestsOnly: true };
    case 'composer':
      if (has(w, '--no-scripts') && has(w, '--no-autoloader')) return { ecosystem: eco.id, manifestsOnly: true };
      return needs('composer runs the project\'s scripts and builds its autoloader from the sources', 'RUN composer install --no-scripts --no-autoloader, then `composer dump-autoload -o` after copying the sources');
    case 'apt': case 'apk': case 'dnf':
      return null;
  }
}

/**
 * What a manifest's content says that makes the install run project code or read other sources:
 * lifecycle scripts and workspaces in package.json, `-e .` / local paths in requirements files,
 * local paths in a Pipfile or Gemfile. Returns the reasons (empty: manifests are enough).
 */
export function manifestProblems(eco: EcosystemId, path: string, content: string): string[] {
  const name = path.replace(/^.*\//, '');
  const out: string[] = [];
  if (name === 'package.json' && ['npm', 'yarn', 'pnpm', 'bun'].includes(eco)) {
    let pkg: unknown;
    try {
      pkg = JSON.parse(content);
    } catch {
      return [`${path} is not valid JSON`];
    }
    if (typeof pkg !== 'object' || pkg === null) return out;
    const p = pkg as { scripts?: Record<string, unknown>; workspaces?: unknown; dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> };
    const scripts = p.scripts && typeof p.scripts === 'object' ? Object.keys(p.scripts) : [];
    const lifecycle = scripts.filter((s) => ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish'].includes(s));
    if (lifecycle.length > 0) out.push(`${path} has ${lifecycle.map((s) => `a \`${s}\` script`).join(' and ')}, which runs project code during the install`);
    if (p.workspaces !== undefined) out.push(`${path} declares workspaces, whose package.json files live in other directories`);
    const deps = { ...(p.dependencies ?? {}), ...(p.devDependencies ?? {}) };
    const local = Object.entries(deps).find(([, v]) => typeof v === 'string' && /^(file:|link:|workspace:|\.\.?\/)/.test(v));
    if (local) out.push(`${path} depends on \`${local[0]}\` from a local path (${String(local[1])})`);
  } else if (eco === 'pip') {
    for (const raw of content.split(/\r?\n/)) {
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      if (!line) continue;
      if (/^(-e|--editable)\b/.test(line)) out.push(`${path} installs \`${line}\` in editable mode`);
      else if (/^(\.|\.\.|\.?\.?\/|file:)/.test(line)) out.push(`${path} installs the local path \`${line}\``);
    }
  } else if (eco === 'pipenv' && name === 'Pipfile') {
    if (/\bpath\s*=\s*["']/.test(content)) out.push(`${path} installs a package from a local path`);
  } else if (eco === 'bundler' && name === 'Gemfile') {
    if (/^\s*gemspec\b/m.test(content)) out.push(`${path} reads the project's gemspec`);
    if (/\bpath:\s*["']|:path\s*=>/.test(content)) out.push(`${path} installs a gem from a local path`);
  }
  return out;
}

/** Requirement files that a requirements file includes with `-r`/`-c` (relative to its directory). */
export function includedRequirements(content: string): string[] {
  const out: string[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const m = /^\s*(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)/.exec(raw);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/** The user and environment in effect at an instruction: what cache paths depend on. */
export interface UserEnv {
  /** The USER in effect (`node`, `1000:1000`); null or `root` (or `0`) for root. */
  user: string | null;
  /** ENV values set by the Dockerfile so far (the base image's are unknown). */
  env: Record<string, string>;
}

/** HOME for this user: ENV HOME if set, /root for root, else /home/<name> (the useradd default). Null for a numeric uid. */
export function homeDirectory(u: UserEnv): string | null {
  if (u.env['HOME']) return u.env['HOME'];
  const name = (u.user ?? 'root').split(':')[0]!;
  if (name === 'root' || name === '0' || name === '') return '/root';
  if (/^\d+$/.test(name)) return null;
  return `/home/${name}`;
}

/**
 * The directory to mount a `--mount=type=cache` on for this ecosystem, for this user and
 * environment; null when there is none to propose (no cache, a directory that holds the installed
 * packages, or a HOME that cannot be known).
 */
export function cacheMountTarget(id: EcosystemId, u: UserEnv, table: readonly Ecosystem[] = ECOSYSTEMS): string | null {
  const configured = ecosystem(id, table).cachePaths;
  if (configured && configured.length > 0) return configured[0]!;
  const cache = ecosystem(id).cache;
  if (!cache || cache.holdsInstalled) return null;
  for (const v of cache.env) if (u.env[v]) return u.env[v]!;
  if (id === 'pnpm' && u.env['PNPM_HOME']) return `${u.env['PNPM_HOME']}/store`;
  if (id === 'yarn' && (u.user === null || homeDirectory(u) === '/root') && !u.env['XDG_CACHE_HOME']) return '/usr/local/share/.cache/yarn';
  if (cache.path.startsWith('/')) return cache.path;
  const home = homeDirectory(u);
  if (cache.path.startsWith('$XDG/')) {
    const xdg = u.env['XDG_CACHE_HOME'] ?? (home ? `${home}/.cache` : null);
    return xdg ? `${xdg}/${cache.path.slice(5)}` : null;
  }
  return home ? `${home}/${cache.path.slice(2)}` : null;
}

/**
 * The USER and ENV in effect at `line` of a Dockerfile: what the stage (and the stages it is built
 * FROM) set before that line. Values that refer to variables are substituted from what is known;
 * a value that refers to an unknown variable is left out (the base image may set it).
 */
export function userEnvAt(df: Dockerfile, line: number): UserEnv {
  let stage: Stage | undefined;
  for (const s of df.stages) if (s.line <= line) stage = s;
  const chain: Stage[] = [];
  for (let s = stage; s && !chain.includes(s); ) {
    chain.unshift(s);
    const base = s.baseImage.toLowerCase();
    s = df.stages.find((p) => p.index < s!.index && p.name?.toLowerCase() === base);
  }
  const u: UserEnv = { user: null, env: {} };
  for (const s of chain) {
    for (const ins of s.instructions) {
      if (s === stage && ins.line >= line) break;
      if (ins.keyword === 'USER') u.user = instructionBody(ins).trim() || null;
      else if (ins.keyword === 'ENV') {
        for (const [k, v] of envPairs(instructionBody(ins))) {
          const value = v.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a?: string, b?: string) => u.env[(a ?? b)!] ?? '\u0000');
          if (value.includes('\u0000')) delete u.env[k];
          else u.env[k] = value;
        }
      }
    }
  }
  return u;
}

/** `A=1 B="x y"` or the legacy `A 1 2`: the pairs of an ENV instruction. */
function envPairs(body: string): Array<[string, string]> {
  if (!/^[A-Za-z_][\w.-]*=/.test(body)) {
    const m = /^(\S+)\s+(.*)$/.exec(body);
    return m ? [[m[1]!, m[2]!]] : [];
  }
  const out: Array<[string, string]> = [];
  const re = /([A-Za-z_][\w.-]*)=("((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/g;
  for (let m = re.exec(body); m; m = re.exec(body)) out.push([m[1]!, m[3] ?? m[4] ?? m[5] ?? '']);
  return out;
}

/** A `--mount=type=cache` to propose for an install (see docs/rules/missing-cache-mount.md). */
export interface CacheMount {
  target: string;
  /** `locked` where the tool locks its cache (apt, dnf): two builds sharing it at once would clash. */
  sharing?: 'locked';
  /**
   * The directory holds the downloaded dependencies that later steps read (Go's module cache, the
   * cargo registry, ~/.m2, ~/.gradle): mounted, they stay out of the layer, so every RUN that reads
   * them has to mount it too.
   */
  holdsInstalled?: boolean;
}

/** Does the stage's root image look like this official image (`golang`, `library/rust:1`, `docker.io/library/gradle`)? */
function isOfficial(baseImage: string, name: string): boolean {
  const repo = baseImage.toLowerCase().replace(/[@:].*$/, '').replace(/^(docker\.io\/|index\.docker\.io\/)?(library\/)?/, '');
  return repo === name;
}

/**
 * The cache mounts that make this install command fast on a warm builder, for the user and
 * environment in effect and the stage's root image (official images set GOPATH, CARGO_HOME, the
 * gradle user's home); null when there is none to propose (the ecosystem is not covered, or its
 * directory cannot be known, such as HOME for a numeric USER).
 */
export function cacheMounts(id: EcosystemId, u: UserEnv, baseImage: string, command: string, table: readonly Ecosystem[] = ECOSYSTEMS): CacheMount[] | null {
  // Cache directories from the config win.
  const configured = table.find((e) => e.id === id)?.cachePaths;
  if (configured && configured.length > 0) return configured.map((target) => ({ target }));
  if (isCustomEcosystem(id)) return null;
  const home = homeDirectory(u);
  const under = (path: string | null, rel: string) => (path ? `${path.replace(/\/+$/, '')}/${rel}` : null);
  const one = (target: string | null, extra: Partial<CacheMount> = {}): CacheMount[] | null => (target ? [{ target, ...extra }] : null);
  const w = commandWords(command);
  switch (id) {
    case 'npm': case 'pnpm': case 'bun': case 'pip': case 'pipenv': case 'poetry': case 'uv': case 'composer':
      return one(cacheMountTarget(id, u));
    case 'yarn':
      // Yarn 2+ (`--immutable`, or YARN_ENABLE_IMMUTABLE_INSTALLS) keeps its global cache under ~/.yarn/berry.
      if (!u.env['YARN_CACHE_FOLDER'] && (w.includes('--immutable') || u.env['YARN_ENABLE_IMMUTABLE_INSTALLS'] !== undefined)) return one(under(home, '.yarn/berry/cache'));
      return one(cacheMountTarget('yarn', u));
    case 'go': {
      const gopath = u.env['GOPATH'] ?? (isOfficial(baseImage, 'golang') ? '/go' : under(home, 'go'));
      const modCache = u.env['GOMODCACHE'] ?? under(gopath, 'pkg/mod');
      const mod = modCache ? [{ target: modCache, holdsInstalled: true }] : [];
      const verb = w.slice(1).find((x) => !x.startsWith('-'));
      if (verb === 'mod') return w.includes('download') && mod.length > 0 ? mod : null;
      if (!['build', 'install', 'test'].includes(verb ?? '')) return null;
      const build = cacheMountTarget('go', u);
      const out: CacheMount[] = [...mod, ...(build ? [{ target: build }] : [])];
      return out.length > 0 ? out : null;
    }
    case 'cargo': {
      const cargoHome = u.env['CARGO_HOME'] ?? (isOfficial(baseImage, 'rust') ? '/usr/local/cargo' : under(home, '.cargo'));
      if (!cargoHome) return null;
      return [{ target: `${cargoHome}/registry`, holdsInstalled: true }, { target: `${cargoHome}/git`, holdsInstalled: true }];
    }
    case 'maven':
      return one(under(home, '.m2'), { holdsInstalled: true });
    case 'gradle':
      // The official gradle image's user home is /home/gradle/.gradle (root's is a symlink to it).
      return one(u.env['GRADLE_USER_HOME'] ?? (isOfficial(baseImage, 'gradle') && (u.user === null || homeDirectory(u) === '/root') ? '/home/gradle/.gradle' : under(home, '.gradle')), { holdsInstalled: true });
    case 'apt':
      return [{ target: '/var/cache/apt', sharing: 'locked' }, { target: '/var/lib/apt', sharing: 'locked' }];
    case 'apk':
      return [{ target: '/var/cache/apk' }];
    case 'dnf':
      return [{ target: w[0] === 'yum' ? '/var/cache/yum' : '/var/cache/dnf', sharing: 'locked' }];
    case 'bundler': case 'dotnet':
      return null;
  }
}
