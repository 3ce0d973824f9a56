// A FROM without a digest. A tag (`node:20` as much as `latest`) moves whenever its publisher
// rebuilds the image. With the docker driver the local copy is reused until `--pull`, so the build
// drifts from what CI gets; with `--pull` or on a fresh CI runner, each republish gives the stage a
// new base and every step of it (and of the stages built FROM it) misses the cache. A digest pins the
// base; a bot (Renovate, Dependabot) bumps it as a reviewed change. See docs/rules/floating-base-image.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import type { Dockerfile, Stage } from '../src/core/dockerfile.js';
import type { Build } from '../src/core/model.js';
import { descendantStages, invalidatedCostMs } from '../src/core/cost.js';
import { normaliseImageRef } from '../src/core/map-steps.js';
import { fillTemplate } from '../src/core/analyze.js';

export const floatingBaseImage: Analyzer = {
  id: 'floating-base-image',
  description: 'A FROM without a digest: the tag moves, and each republish re-runs the whole stage under --pull or on a fresh CI runner.',
  defaultSeverity: 'info',
  messages: {
    floating:
      '`FROM {{image}}` has no digest: the tag `{{tag}}`{{implied}} moves whenever its publisher rebuilds the image. With the docker driver the local copy is reused until `--pull`; with `--pull`, or on a fresh CI runner, each republish re-runs every step of this stage{{descendants}}.',
    pin: 'Pin it by digest, keeping the tag for people to read, and let Renovate or Dependabot bump it:\n{{line}}\n(`docker buildx imagetools inspect {{image}}` prints the digest.)',
    pinKnown: 'Pin it by the digest this build used, keeping the tag for people to read, and let Renovate or Dependabot bump it:\n{{line}}',
    pinArg: 'Pin it where the image is chosen: give the ARG a value with a digest (`{{image}}@sha256:<digest>`), or pass one with `--build-arg`.',
    // Fragments of `floating`.
    implied: ' (implied)',
    descendant: ' and of the stage built FROM it',
    descendants: ' and of the {{count}} stages built FROM it',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    const lines = df.text.split(/\r\n|\r|\n/);
    const args = globalArgDefaults(df.parsed);
    const stageNames = new Set(df.parsed.stages.map((s) => s.name?.toLowerCase()).filter((n): n is string => !!n));
    const reports: Report[] = [];
    for (const stage of df.parsed.stages) {
      const written = stage.baseImage;
      const image = expand(written, args);
      // An ARG without a default: the image is chosen at build time; nothing to say about it here.
      if (image === null || image === '') continue;
      const lower = image.toLowerCase();
      if (lower === 'scratch' || stageNames.has(lower) || image.includes('@')) continue;
      const tag = tagOf(image);
      const later = descendantStages(df.parsed, stage.index).size - 1;
      const report: Report = {
        messageId: 'floating',
        data: {
          image,
          tag: tag ?? 'latest',
          implied: tag === null ? floatingBaseImage.messages['implied']! : '',
          descendants: later === 0 ? '' : fillTemplate(floatingBaseImage.messages[later === 1 ? 'descendant' : 'descendants']!, { count: later }),
        },
        line: stage.line,
      };
      const digest = ctx.build ? buildDigest(ctx.build, stage, image) : null;
      if (written.includes('$')) report.suggestion = 'pinArg';
      else {
        report.suggestion = digest ? 'pinKnown' : 'pin';
        report.data!.line = pinnedLine(lines, stage, written, digest ?? 'sha256:<digest>');
      }
      if (ctx.build) {
        const cost = invalidatedCostMs(ctx.build, df.parsed, stage.line);
        if (cost !== null) report.costMs = cost;
      }
      reports.push(report);
    }
    return reports;
  },
};

/** Defaults of the ARGs declared before the first FROM (the only ones a FROM can read). */
function globalArgDefaults(df: Dockerfile): Map<string, string | null> {
  const vars = new Map<string, string | null>();
  for (const ins of df.instructions) {
    if (ins.stageIndex !== null) break;
    if (ins.keyword !== 'ARG') continue;
    for (const word of ins.args.split(' ').filter(Boolean)) {
      const eq = word.indexOf('=');
      if (eq > 0) vars.set(word.slice(0, eq), word.slice(eq + 1).replace(/^["']|["']$/g, ''));
      else vars.set(word, null);
    }
  }
  return vars;
}

/** The image with `$X`, `${X}`, `${X:-d}` replaced by the global ARG defaults; null when one has none. */
function expand(text: string, vars: Map<string, string | null>): string | null {
  let unknown = false;
  const out = text.replace(/\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)/g, (_m, a?: string, d?: string, b?: string) => {
    const value = vars.get((a ?? b)!) ?? d ?? null;
    if (value === null) unknown = true;
    return value ?? '';
  });
  return unknown ? null : out;
}

/** The tag of an image reference, or null when it has none (`latest` implied). */
function tagOf(image: string): string | null {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : null;
}

/** The digest BuildKit resolved this stage's base to, when the build printed it (`FROM docker.io/library/node:20@sha256:…`). */
function buildDigest(build: Build, stage: Stage, image: string): string | null {
  const want = normaliseImageRef(image);
  for (const s of build.steps) {
    const m = /FROM\s+(\S+)@(sha256:[0-9a-f]{64})/.exec(s.name);
    if (!m) continue;
    if (s.line === stage.line || normaliseImageRef(m[1]!) === want) return m[2]!;
  }
  return null;
}

/** The FROM line with `@digest` after the image as written. */
function pinnedLine(lines: string[], stage: Stage, written: string, digest: string): string {
  const source = lines[stage.line - 1] ?? `FROM ${written}`;
  const i = source.indexOf(written);
  return i < 0 ? `FROM ${written}@${digest}` : `${source.slice(0, i + written.length)}@${digest}${source.slice(i + written.length)}`.trim();
}
