// A single-stage Dockerfile whose image keeps what only the build needs: a toolchain base image
// (golang, rust, maven, a JDK, the .NET SDK) that compiles the program, compilers and headers
// installed with the OS package manager, or the npm/yarn/pnpm dev dependencies. Every layer of the
// final stage is in the image: it is bigger, slower to export, push and pull, and carries tools an
// attacker can use. A build stage plus a runtime stage that copies only the result keeps them out
// (pattern P12 of the rules catalogue). See docs/rules/toolchain-in-final-image.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { instructionBody, type Instruction, type Stage } from '../src/core/dockerfile.js';
import { commandWords } from '../src/core/ecosystems.js';
import { costOfSteps, stepsAtLine } from '../src/core/cost.js';
import { shellCommands } from './apt-update-alone.js';

type Kind = 'go' | 'rust' | 'java' | 'dotnet' | 'c' | 'node' | 'os';

interface Item {
  kind: Kind;
  what: string;
  line: number;
  /** A RUN whose step time is the finding's cost (installs); null for the FROM line. */
  run: Instruction | null;
}

/** Toolchain images, by repository name (the last path part), with what compiles in them. */
const TOOLCHAIN_IMAGES: Array<{ repo: RegExp; tag?: RegExp; kind: Kind; name: string; builds: RegExp }> = [
  { repo: /^golang$/, kind: 'go', name: 'the Go toolchain', builds: /^go (build|install)\b/ },
  { repo: /^rust$/, kind: 'rust', name: 'the Rust toolchain', builds: /^cargo (build|install)\b/ },
  { repo: /^(maven|gradle)$/, kind: 'java', name: 'a JDK and its build tool', builds: /^(\.\/)?(mvn|mvnw|gradle|gradlew)\b.*\b(package|install|build|assemble|bootJar|jar|shadowJar|verify)\b/ },
  { repo: /^(openjdk|eclipse-temurin|amazoncorretto)$/, tag: /jdk|^\d+(\.\d+)*$|^latest$/, kind: 'java', name: 'a JDK', builds: /^((\.\/)?(mvn|mvnw|gradle|gradlew)\b.*\b(package|install|build|assemble|bootJar|jar)\b|javac\b)/ },
  { repo: /^sdk$/, kind: 'dotnet', name: 'the .NET SDK', builds: /^dotnet (publish|build)\b/ },
  { repo: /^gcc$/, kind: 'c', name: 'GCC', builds: /^(gcc|g\+\+|cc|c\+\+|make|cmake)\b/ },
];

/** OS packages that are compilers or build tools (`make` alone is too small to matter). */
const COMPILER_PACKAGES = /^(build-essential|build-base|gcc(-\d+)?|g\+\+(-\d+)?|clang(-\d+)?|golang(-go)?|go|rustc|cargo|default-jdk(-headless)?|openjdk-?\d+(-jdk(-headless)?)?|java-\d+-openjdk-devel|maven|gradle|cmake|autoconf|automake|libtool)$/;
/** Headers: only needed to compile. */
const DEV_PACKAGES = /^([\w.+-]+-(dev|devel)|linux-headers)$/;

const RUNTIMES: Record<Kind, string> = {
  go: 'gcr.io/distroless/static-debian12  # build with CGO_ENABLED=0; or alpine / debian:bookworm-slim',
  rust: 'debian:bookworm-slim',
  java: 'eclipse-temurin:21-jre',
  dotnet: 'mcr.microsoft.com/dotnet/aspnet:8.0',
  c: 'debian:bookworm-slim',
  node: '',
  os: '',
};

/** Instructions that describe how the image runs: they belong to the runtime stage. */
const RUNTIME_KEYWORDS = new Set(['CMD', 'ENTRYPOINT', 'EXPOSE', 'HEALTHCHECK', 'USER', 'LABEL', 'STOPSIGNAL', 'VOLUME', 'ONBUILD']);

export const toolchainInFinalImage: Analyzer = {
  id: 'toolchain-in-final-image',
  description: 'A single-stage image that keeps its build toolchain, compilers, headers or dev dependencies: a build stage would keep them out.',
  defaultSeverity: 'info',
  messages: {
    ships:
      'This single-stage build keeps what only the build needs in the image it produces: {{what}}. They make the image bigger and slower to export, push and pull; build in a stage of its own and copy only the result into a runtime stage.',
    devOnly:
      '`{{command}}` (line {{line}}) installs the dev dependencies too, and this single-stage image keeps them. Nothing here builds with them: install the production dependencies alone.',
    sketch: 'A multi-stage sketch of this Dockerfile (adjust the runtime image and the paths):\n{{lines}}',
    omitDev: 'Install without the dev dependencies: `{{fixed}}` (or set `ENV NODE_ENV=production` before it).',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df || df.parsed.stages.length !== 1) return [];
    const stage = df.parsed.stages[0]!;
    // A dev container or a CI image is a toolchain on purpose.
    if (/devcontainers?\b|(^|\/)\.devcontainer\//i.test(`${stage.baseImage} ${df.path}`)) return [];
    const items: Item[] = [];
    const base = toolchainBase(stage);
    if (base) items.push(base);
    let nodeProduction = false;
    let builds = false;
    for (const ins of stage.instructions) {
      if (ins.keyword === 'ENV' && /\bNODE_ENV[= ]\s*"?production\b/.test(ins.args)) nodeProduction = true;
      if (ins.keyword !== 'RUN') continue;
      let commands: string[];
      try {
        commands = shellCommands(ins);
      } catch {
        continue;
      }
      if (commands.some((c) => /^(npm|yarn|pnpm|bun) (run )?(build|compile)\b|^(npx )?(tsc|vite|webpack|next build|ng build)\b|\bassets:precompile\b/.test(c))) builds = true;
      const packages = osToolchain(commands);
      if (packages.length > 0) items.push({ kind: 'os', what: `${packages.map((p) => `\`${p}\``).join(', ')} (line ${ins.line})`, line: ins.line, run: ins });
      const dev = devInstall(commands, nodeProduction || /\bNODE_ENV=production\b/.test(ins.args));
      if (dev && hasDevDependencies(ctx)) items.push({ kind: 'node', what: `the dev dependencies of \`${dev}\` (line ${ins.line})`, line: ins.line, run: ins });
    }
    if (items.length === 0) return [];
    const runs = items.map((i) => i.run).filter((r): r is Instruction => r !== null);
    const cost = ctx.build ? costOfSteps(runs.flatMap((r) => stepsAtLine(ctx.build!, r.line))) : {};
    // Dev dependencies alone, and nothing builds with them: `--omit=dev` is the whole change.
    if (items.every((i) => i.kind === 'node') && !builds) {
      const item = items[0]!;
      const command = devInstall(shellCommands(item.run!), false)!;
      return [{ messageId: 'devOnly', data: { command, line: item.line, fixed: omitDev(command) }, line: item.line, suggestion: 'omitDev', ...cost }];
    }
    return [{
      messageId: 'ships',
      data: { what: join(items.map((i) => i.what)), lines: sketch(stage, items) },
      line: items[0]!.line,
      suggestion: 'sketch',
      ...cost,
    }];
  },
};

function repoAndTag(image: string): { repo: string; tag: string } {
  const ref = image.replace(/@.*$/, '');
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const tag = colon > slash ? ref.slice(colon + 1) : 'latest';
  const path = colon > slash ? ref.slice(0, colon) : ref;
  return { repo: path.slice(path.lastIndexOf('/') + 1).toLowerCase(), tag: tag.toLowerCase() };
}

/** The FROM is a toolchain image and the stage compiles with it. */
function toolchainBase(stage: Stage): Item | null {
  const { repo, tag } = repoAndTag(stage.baseImage);
  if (repo === 'sdk' && !/dotnet/.test(stage.baseImage)) return null;
  const image = TOOLCHAIN_IMAGES.find((t) => t.repo.test(repo) && (!t.tag || t.tag.test(tag)));
  if (!image) return null;
  const compiles = stage.instructions.some((ins) => {
    if (ins.keyword !== 'RUN') return false;
    try {
      return shellCommands(ins).some((c) => image.builds.test(commandWords(c).join(' ')));
    } catch {
      return false;
    }
  });
  return compiles ? { kind: image.kind, what: `${image.name} (\`FROM ${stage.baseImage}\`)`, line: stage.line, run: null } : null;
}

/** Compiler and header packages an OS install leaves in its layer (none when the same RUN removes packages again). */
function osToolchain(commands: string[]): string[] {
  if (commands.some((c) => /^(apk del|apt-get (purge|remove|autoremove)|apt (purge|remove|autoremove)|dnf (remove|autoremove)|yum remove)\b/.test(commandWords(c).join(' ')))) return [];
  const out: string[] = [];
  for (const c of commands) {
    const w = commandWords(c);
    const installs = (/^(apt-get|apt)$/.test(w[0] ?? '') && w.includes('install')) || (w[0] === 'apk' && w.includes('add')) || (/^(dnf|yum|microdnf)$/.test(w[0] ?? '') && w.includes('install'));
    if (!installs) continue;
    // `apk add --virtual .build-deps …` is removed later by name: a later RUN's `apk del` still leaves it in this layer.
    for (const word of w.slice(1)) {
      if (word.startsWith('-') || word.startsWith('.')) continue;
      const name = word.replace(/[=<>~].*$/, '');
      if (COMPILER_PACKAGES.test(name) || DEV_PACKAGES.test(name)) out.push(name);
    }
  }
  return out;
}

/** The npm/yarn/pnpm install of a RUN that keeps dev dependencies, or null. */
function devInstall(commands: string[], production: boolean): string | null {
  if (production) return null;
  if (commands.some((c) => /^npm prune\b.*(--production|--omit=dev)|^yarn (install|workspaces focus)\b.*--production|^pnpm prune\b.*--prod/.test(c))) return null;
  for (const c of commands) {
    const w = commandWords(c);
    const words = w.join(' ');
    if (/\bNODE_ENV=production\b/.test(c)) continue;
    if (w[0] === 'npm' && /^(ci|install|i)$/.test(w[1] ?? '') && !w.some((x) => /^(-g|--global|--omit=dev|--production|--only=prod(uction)?)$/.test(x)) && !w.slice(2).some((x) => !x.startsWith('-'))) return words;
    if (w[0] === 'yarn' && (w[1] === undefined || w[1] === 'install' || w[1]?.startsWith('-')) && !w.includes('--production')) return words;
    if (w[0] === 'pnpm' && /^(install|i)$/.test(w[1] ?? '') && !w.some((x) => x === '--prod' || x === '-P' || x === '--production')) return words;
  }
  return null;
}

/** False when the context's package.json is known and lists no devDependencies. */
function hasDevDependencies(ctx: AnalyzerContext): boolean {
  const pkg = ctx.context?.files.find((f) => f.path === 'package.json');
  if (!pkg || pkg.content === undefined) return true;
  try {
    const json = JSON.parse(pkg.content) as { devDependencies?: Record<string, string> };
    return !!json.devDependencies && Object.keys(json.devDependencies).length > 0;
  } catch {
    return true;
  }
}

function omitDev(command: string): string {
  const w = command.split(' ');
  if (w[0] === 'npm') return `${command} --omit=dev`;
  if (w[0] === 'pnpm') return `${command} --prod`;
  return `${command} --production`;
}

function join(list: string[]): string {
  return list.length <= 1 ? list.join('') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/** The Dockerfile as a build stage plus a runtime stage that copies the result and keeps how the image runs. */
function sketch(stage: Stage, items: Item[]): string {
  const kind = items.find((i) => i.kind !== 'os' && i.kind !== 'node')?.kind ?? (items.some((i) => i.kind === 'node') ? 'node' : 'os');
  const buildLines = stage.instructions.filter((i) => !RUNTIME_KEYWORDS.has(i.keyword));
  const runtimeLines = stage.instructions.filter((i) => RUNTIME_KEYWORDS.has(i.keyword));
  const from = instructionBody(stage.instructions[0]!).split(' ')[0]!;
  const workdir = [...stage.instructions].reverse().find((i) => i.keyword === 'WORKDIR');
  const dir = workdir ? instructionBody(workdir) : '/app';
  const out = [`FROM ${from} AS build`, ...buildLines.slice(1).map((i) => i.text), ''];
  if (kind === 'node') {
    out.push(`FROM ${from}`, `WORKDIR ${dir}`, 'COPY package*.json ./', 'RUN npm ci --omit=dev', `COPY --from=build ${dir}/dist ./dist  # the build output`);
  } else if (kind === 'os') {
    out.push(`FROM ${from}`, '# the runtime libraries only (no compilers, no -dev packages)', `COPY --from=build ${dir} ${dir}`);
  } else {
    out.push(`FROM ${RUNTIMES[kind]}`, `WORKDIR ${dir}`, `COPY --from=build ${artifact(stage, kind, dir)}`);
  }
  out.push(...runtimeLines.map((i) => i.text));
  return out.join('\n');
}

/** What to copy out of the build stage: the `-o` of `go build` when there is one, else a placeholder. */
function artifact(stage: Stage, kind: Kind, dir: string): string {
  if (kind === 'go') {
    for (const ins of stage.instructions) {
      const m = /\bgo build\b[^&;|]*?\s-o[\s=](\S+)/.exec(ins.args);
      if (m?.[1]) return `${m[1]} ${m[1].startsWith('/') ? m[1] : `${dir}/${m[1]}`}`;
    }
    return `${dir}/app ${dir}/app  # the binary go build wrote`;
  }
  if (kind === 'rust') return `${dir}/target/release/app /usr/local/bin/app  # the binary cargo built`;
  if (kind === 'java') return `${dir}/target/*.jar app.jar  # or build/libs/*.jar with Gradle`;
  if (kind === 'dotnet') return `${dir}/out .  # what dotnet publish -o out wrote`;
  return `${dir} ${dir}  # the build output`;
}
