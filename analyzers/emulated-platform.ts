// A multi-platform build whose build stage runs under emulation. Without `FROM --platform=...`, a
// stage is built for each target platform, and on a builder of another architecture its RUN steps
// run under QEMU, often several times slower. A stage whose output does not depend on the platform it
// runs on (a Go binary cross-compiled with GOOS/GOARCH, a JavaScript bundle, a jar) can run on the
// builder's own platform (`FROM --platform=$BUILDPLATFORM`) and build for the target from there.
// See docs/rules/emulated-platform.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import type { Build, Step } from '../src/core/model.js';
import { instructionBody, type Dockerfile, type Instruction, type Stage } from '../src/core/dockerfile.js';
import { commandWords } from '../src/core/ecosystems.js';
import { stepTimeMs } from '../src/core/cost.js';
import { formatDuration } from '../src/core/units.js';
import { shellCommands } from './apt-update-alone.js';

type Tool = 'go' | 'js' | 'jvm' | 'dotnet';

/** Builds whose output a stage on the build platform can make for another target. */
const CROSS_BUILDS: Array<{ tool: Tool; test: RegExp }> = [
  { tool: 'go', test: /^go (build|install)\b/ },
  { tool: 'js', test: /^((npm|pnpm|bun) run|yarn( run)?) (build|compile|bundle)\b|^(npx )?(tsc|vite build|webpack|esbuild|next build|ng build)\b/ },
  { tool: 'jvm', test: /^(\.\/)?(mvn|mvnw|gradle|gradlew)\b.*\b(package|install|build|assemble|bootJar|jar|shadowJar)\b/ },
  { tool: 'dotnet', test: /^dotnet publish\b/ },
];

const TARGET_ARGS = /\$\{?(TARGETPLATFORM|TARGETOS|TARGETARCH|TARGETVARIANT|BUILDPLATFORM)\b/;

export const emulatedPlatform: Analyzer = {
  id: 'emulated-platform',
  description: 'A build stage of a multi-platform build that runs under emulation where it could run on the build platform and cross-compile.',
  defaultSeverity: 'warning',
  messages: {
    emulated:
      'Stage `{{stage}}` (`{{build}}`, line {{buildLine}}) is built once per target platform{{evidence}}: on a builder of another architecture its steps run under emulation{{measured}}. What it makes does not depend on the platform it runs on: run it on the build platform and build for the target from there.',
    finalStage:
      'The image stage compiles (`{{build}}`, line {{buildLine}}) once per target platform{{evidence}}: on a builder of another architecture that runs under emulation{{measured}}. Compile in a stage on the build platform and copy the result in.',
    crossGo: 'Run the stage on the build platform and cross-compile:\n{{from}}\nARG TARGETOS TARGETARCH\n{{run}}',
    crossAny: 'Run the stage on the build platform (its output is the same for every target):\n{{from}}{{extra}}',
    splitStage: 'Compile in a stage on the build platform, then copy the result into the image stage:\n{{lines}}',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const platforms = ctx.build ? targetPlatforms(ctx.build) : [];
    const multi = platforms.length >= 2;
    // A constant `FROM --platform=linux/amd64` pins a platform; it says nothing of several.
    const intent = df.parsed.instructions.some((i) => TARGET_ARGS.test(i.args) || /^(TARGETPLATFORM|TARGETOS|TARGETARCH)\b/.test(i.keyword === 'ARG' ? i.args : ''));
    if (!multi && !intent) return [];
    const evidence = multi ? ` (this build: ${platforms.join(', ')})` : '';
    const finalChain = imageChain(df.parsed);
    const reports: Report[] = [];
    for (const stage of df.parsed.stages) {
      if (onBuildPlatform(df.parsed, stage)) continue;
      const found = crossBuild(stage);
      if (!found) continue;
      const inImage = finalChain.has(stage.index);
      // node_modules copied out of the stage are native to the platform it ran on.
      if (!inImage && found.tool === 'js' && copiedOut(df.parsed, stage).some((src) => /node_modules/.test(src))) continue;
      if (inImage && df.parsed.stages.length > 1 && !isLast(df.parsed, stage)) continue; // a base of the image stage: platform-specific by design
      const measured = ctx.build ? emulatedMs(ctx.build, stage) : null;
      if (ctx.build && multi && measured === null && crossCompiled(ctx.build, stage)) continue;
      const data: Record<string, string | number> = {
        stage: stage.name ?? String(stage.index),
        build: shorten(found.command),
        buildLine: found.ins.line,
        evidence,
        measured: measured !== null && measured > 0 ? `; in this build the emulated copies took ${formatDuration(measured)} more than the fastest platform's` : '',
      };
      const report: Report = { messageId: inImage ? 'finalStage' : 'emulated', data, line: stage.line };
      if (inImage) {
        report.suggestion = 'splitStage';
        data.lines = splitSketch(stage, found);
      } else if (found.tool === 'go') {
        report.suggestion = 'crossGo';
        data.from = fromLine(stage);
        data.run = goRun(found.ins);
      } else {
        report.suggestion = 'crossAny';
        data.from = fromLine(stage);
        data.extra = found.tool === 'dotnet' ? '\nARG TARGETARCH\nRUN dotnet publish -a $TARGETARCH …' : '';
      }
      if (measured !== null && measured > 0) report.costMs = measured;
      reports.push(report);
    }
    return reports;
  },
};

/** The target platforms of a build, from its step prefixes (`linux/arm64`, `linux/amd64->arm64` targets arm64). */
export function targetPlatforms(build: Build): string[] {
  const out = new Set<string>();
  for (const s of build.steps) {
    if (!s.platform) continue;
    const [from, to] = s.platform.split('->');
    if (to === undefined) out.add(from!);
    else out.add(to.includes('/') ? to : `${from!.split('/')[0]}/${to}`);
  }
  return [...out].sort();
}

/** The stage, or the stage it is built FROM (and so on), runs on the build platform. */
function onBuildPlatform(df: Dockerfile, stage: Stage): boolean {
  const seen = new Set<number>();
  for (let s: Stage | undefined = stage; s && !seen.has(s.index); ) {
    seen.add(s.index);
    if (s.platform !== null) return /BUILDPLATFORM/.test(s.platform);
    const base = s.baseImage.toLowerCase();
    s = df.stages.find((p) => p.index < s!.index && p.name?.toLowerCase() === base);
  }
  return false;
}

function crossBuild(stage: Stage): { tool: Tool; command: string; ins: Instruction } | null {
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN') continue;
    let commands: string[];
    try {
      commands = shellCommands(ins);
    } catch {
      continue;
    }
    for (const c of commands) {
      const words = commandWords(c).join(' ');
      const hit = CROSS_BUILDS.find((b) => b.test.test(words));
      // cgo needs a C cross-compiler for the target: not a one-line change.
      if (hit?.tool === 'go' && /CGO_ENABLED=1/.test(ins.args)) continue;
      if (hit) return { tool: hit.tool, command: c, ins };
    }
  }
  return null;
}

/** Stages whose layers make the image: the last stage and the stages it is built FROM. */
function imageChain(df: Dockerfile): Set<number> {
  const byName = new Map(df.stages.filter((s) => s.name).map((s) => [s.name!.toLowerCase(), s]));
  const out = new Set<number>();
  let s: Stage | undefined = df.stages[df.stages.length - 1];
  while (s && !out.has(s.index)) {
    out.add(s.index);
    s = byName.get(s.baseImage.toLowerCase());
  }
  return out;
}

function isLast(df: Dockerfile, stage: Stage): boolean {
  return stage.index === df.stages.length - 1;
}

/** Sources other stages `COPY --from=` this one. */
function copiedOut(df: Dockerfile, stage: Stage): string[] {
  const names = new Set([String(stage.index), stage.name?.toLowerCase()].filter(Boolean));
  const out: string[] = [];
  for (const ins of df.instructions) {
    if (ins.keyword !== 'COPY' || !ins.flags['from']?.some((f) => names.has(f.toLowerCase()))) continue;
    const words = instructionBody(ins).split(' ').filter(Boolean);
    out.push(...words.slice(0, -1));
  }
  return out;
}

/**
 * In a multi-platform build, how much longer the stage's RUN steps took on the platforms other than
 * the fastest one (taken as the builder's own): summed over the stage's lines. Null when the build
 * shows no copy of the stage per platform.
 */
function emulatedMs(build: Build, stage: Stage): number | null {
  const lines = new Set(stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.line));
  const byLine = new Map<number, Step[]>();
  for (const s of build.steps) {
    if (s.internal || s.line === null || !lines.has(s.line) || !s.platform || s.platform.includes('->')) continue;
    byLine.set(s.line, [...(byLine.get(s.line) ?? []), s]);
  }
  let sum = 0;
  let any = false;
  for (const steps of byLine.values()) {
    const times = steps.map(stepTimeMs).filter((t): t is number => t !== null);
    if (times.length < 2) continue;
    any = true;
    const min = Math.min(...times);
    sum += times.reduce((s, t) => s + t - min, 0);
  }
  return any ? sum : null;
}

/** The build already ran the stage cross (`linux/amd64->arm64`). */
function crossCompiled(build: Build, stage: Stage): boolean {
  const lines = new Set(stage.instructions.map((i) => i.line));
  return build.steps.some((s) => s.line !== null && lines.has(s.line) && (s.platform ?? '').includes('->'));
}

function fromLine(stage: Stage): string {
  const body = instructionBody(stage.instructions[0]!);
  return `FROM --platform=$BUILDPLATFORM ${body}`;
}

/** The go build RUN with the target's GOOS/GOARCH (and cgo off). */
function goRun(ins: Instruction): string {
  const body = instructionBody(ins).replace(/\bgo (build|install)\b/, 'CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go $1');
  const flags = ins.args.slice(0, ins.args.length - instructionBody(ins).length);
  return `RUN ${flags}${body}`;
}

function splitSketch(stage: Stage, found: { tool: Tool; ins: Instruction }): string {
  const upTo = stage.instructions.filter((i) => i.line <= found.ins.line && i.keyword !== 'FROM');
  const rest = stage.instructions.filter((i) => i.line > found.ins.line);
  const lines = [`FROM --platform=$BUILDPLATFORM ${instructionBody(stage.instructions[0]!).split(' ')[0]} AS build`];
  if (found.tool === 'go') lines.push('ARG TARGETOS TARGETARCH');
  for (const i of upTo) lines.push(i.keyword === 'RUN' && i === found.ins && found.tool === 'go' ? goRun(i) : i.text);
  lines.push('', `FROM ${instructionBody(stage.instructions[0]!).split(' ')[0]}`, 'COPY --from=build <the build output> <where it goes>', ...rest.map((i) => i.text));
  return lines.join('\n');
}

function shorten(command: string): string {
  return command.length > 60 ? `${command.slice(0, 59)}…` : command;
}
