// `.buildlens.json` ecosystem overrides, as the ecosystem-aware analyzers read them.
import type { AnalyzerContext } from '../../analyzers/types.js';
import { copyBeforeInstall } from '../../analyzers/copy-before-install.js';
import { missingCacheMount } from '../../analyzers/missing-cache-mount.js';
import { packageCacheLeft } from '../../analyzers/package-cache-left.js';
import { serialStages } from '../../analyzers/serial-stages.js';
import { parseDockerfile } from '../../src/core/dockerfile.js';
import { ecosystemTable, installEcosystem, installNeeds, startsWithCommand, ECOSYSTEMS } from '../../src/core/ecosystems.js';
import type { EcosystemOverrides } from '../../src/core/config.js';

function ctx(text: string, ecosystems?: EcosystemOverrides): AnalyzerContext {
  const c: AnalyzerContext = { dockerfile: { path: 'Dockerfile', text, parsed: parseDockerfile(text) } };
  if (ecosystems) c.ecosystems = ecosystems;
  return c;
}

const OVERRIDES: EcosystemOverrides = {
  npm: { installCommands: ['make deps'], cachePaths: ['/cache/npm'] },
  mytool: { installCommands: ['mytool sync'], manifests: ['mytool.lock'], cachePaths: ['/var/cache/mytool'] },
};

describe('ecosystem table with overrides', () => {
  it('matches install commands word by word, wrappers stripped', () => {
    expect(startsWithCommand('make deps', ['make deps'])).toBe(true);
    expect(startsWithCommand('sudo make deps -j4', ['make deps'])).toBe(true);
    expect(startsWithCommand('make depsx', ['make deps'])).toBe(false);
    expect(startsWithCommand('make', ['make deps'])).toBe(false);
  });

  it('extends a known ecosystem and adds a custom one; none without overrides', () => {
    expect(ecosystemTable(undefined)).toBe(ECOSYSTEMS);
    const table = ecosystemTable(OVERRIDES);
    expect(installEcosystem('make deps', table)?.id).toBe('npm');
    expect(installEcosystem('make deps')).toBeNull();
    expect(installEcosystem('npm ci', table)?.id).toBe('npm');
    expect(installEcosystem('mytool sync --frozen', table)?.id).toBe('mytool');
    expect(installNeeds('mytool sync', table)).toEqual({ ecosystem: 'mytool', manifestsOnly: true });
    expect(installNeeds('other sync', ecosystemTable({ other: { installCommands: ['other sync'] } }))).toMatchObject({ ecosystem: 'other', manifestsOnly: false });
  });
});

describe('analyzers read the overrides', () => {
  it('copy-before-install: a custom install command of a known ecosystem, and a custom ecosystem', () => {
    const npm = 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN make deps\n';
    expect(copyBeforeInstall.analyze(ctx(npm))).toEqual([]);
    expect(copyBeforeInstall.analyze(ctx(npm, OVERRIDES)).map((r) => [r.line, r.data?.ecosystem])).toEqual([[3, 'npm']]);
    const custom = 'FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN mytool sync\n';
    expect(copyBeforeInstall.analyze(ctx(custom, OVERRIDES)).map((r) => [r.line, r.data?.ecosystem])).toEqual([[3, 'mytool']]);
  });

  it('missing-cache-mount: proposes the configured cache path, and takes a mount there as done', () => {
    const text = 'FROM node:22\nCOPY package.json package-lock.json ./\nRUN npm ci\n';
    const [r] = missingCacheMount.analyze(ctx(text, OVERRIDES));
    expect(r?.suggestion ?? '').toBeDefined();
    expect(JSON.stringify(r)).toContain('/cache/npm');
    expect(missingCacheMount.analyze(ctx('FROM node:22\nRUN --mount=type=cache,target=/cache/npm npm ci\n', OVERRIDES))).toEqual([]);
    const custom = missingCacheMount.analyze(ctx('FROM debian:12\nRUN mytool sync\n', OVERRIDES));
    expect(JSON.stringify(custom)).toContain('target=/var/cache/mytool');
  });

  it('package-cache-left: a custom ecosystem leaves its cache; removing the configured path counts as a clean-up', () => {
    const left = packageCacheLeft.analyze(ctx('FROM debian:12\nRUN mytool sync\n', OVERRIDES));
    expect(left.map((r) => [r.line, r.data?.what])).toEqual([[2, "mytool's cache (/var/cache/mytool)"]]);
    expect(left[0]?.fix?.edits[0]?.text).toBe('RUN mytool sync && rm -rf /var/cache/mytool');
    expect(packageCacheLeft.analyze(ctx('FROM debian:12\nRUN mytool sync && rm -rf /var/cache/mytool\n', OVERRIDES))).toEqual([]);
    expect(packageCacheLeft.analyze(ctx('FROM node:22\nRUN npm ci && rm -rf /cache/npm\n', OVERRIDES))).toEqual([]);
    expect(packageCacheLeft.analyze(ctx('FROM node:22\nRUN make deps\n', OVERRIDES)).map((r) => r.line)).toEqual([2]);
  });

  it('serial-stages: a custom ecosystem is a unit of its own', () => {
    const text = 'FROM debian:12\nCOPY mytool.lock ./\nRUN mytool sync\nCOPY package.json ./\nRUN npm install\n';
    expect(serialStages.analyze(ctx(text))).toEqual([]);
    expect(serialStages.analyze(ctx(text, OVERRIDES)).map((r) => r.line)).toEqual([5]);
  });
});
