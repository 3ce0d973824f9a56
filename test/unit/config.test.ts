import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_CONFIG, KNOWN_ECOSYSTEM_IDS, mergeConfig, validateConfig } from '../../src/core/config.js';
import { ECOSYSTEMS } from '../../src/core/ecosystems.js';
import { findConfig, loadConfigFile } from '../../src/io/config-file.js';

describe('validateConfig', () => {
  it('accepts every key', () => {
    const config = validateConfig({ $schema: 'x', failOn: 'warning', format: 'json', color: false, rules: { 'apt-update-alone': 'off', x: 'error' } }, '.buildlens.json');
    expect(config).toEqual({ failOn: 'warning', format: 'json', color: false, rules: { 'apt-update-alone': 'off', x: 'error' } });
  });

  it('accepts an empty object', () => {
    expect(validateConfig({}, 'x')).toEqual({});
  });

  it.each([
    [[], /must hold a JSON object, not an array/],
    [null, /must hold a JSON object, not null/],
    [{ failon: 'error' }, /unknown key "failon": the keys are "failOn", "format", "color", "rules", "ecosystems", "maxDuration", "maxStepDuration", "minCacheRatio", "maxContext" or "maxRegression"/],
    [{ failOn: 'fatal' }, /"failOn" is "fatal"; use "error", "warning", "info" or "none"/],
    [{ format: 'html' }, /"format" is "html"; use "table", "json", "markdown" or "sarif"/],
    [{ color: 'yes' }, /"color" is "yes"; use true or false/],
    [{ rules: ['a'] }, /"rules" is an array/],
    [{ rules: { a: 'warn' } }, /rule "a" is set to "warn"; use "error", "warning", "info" or "off"/],
    [{ ecosystems: [] }, /"ecosystems" is an array; use an object such as/],
    [{ ecosystems: { npm: { installCommand: ['x'] } } }, /ecosystem "npm" has an unknown key "installCommand": the keys are "installCommands", "cachePaths" or "manifests"/],
    [{ ecosystems: { npm: { cachePaths: '/root/.npm' } } }, /ecosystems.npm.cachePaths is "\/root\/.npm"; use an array of non-empty strings/],
    [{ ecosystems: { npm: { cachePaths: ['.npm'] } } }, /ecosystems.npm.cachePaths has ".npm"; give absolute paths/],
    [{ ecosystems: { mytool: { cachePaths: ['/cache'] } } }, /ecosystem "mytool" is not one buildlens knows, so it needs "installCommands"/],
    [{ ecosystems: { 'My Tool': { installCommands: ['x'] } } }, /ecosystem "My Tool" is not a valid name/],
  ])('refuses %j with a clear message', (obj, message) => {
    expect(() => validateConfig(obj, '.buildlens.json')).toThrow(ConfigError);
    expect(() => validateConfig(obj, '.buildlens.json')).toThrow(message);
  });

  it('reads ecosystem overrides for known and new ecosystems', () => {
    const ecosystems = { npm: { installCommands: ['make deps'], cachePaths: ['/root/.npm'] }, mytool: { installCommands: ['mytool sync'], manifests: ['mytool.lock'], cachePaths: ['/var/cache/mytool'] } };
    expect(validateConfig({ ecosystems }, 'x')).toEqual({ ecosystems });
    expect(mergeConfig(DEFAULT_CONFIG, { ecosystems }, {}).ecosystems).toEqual(ecosystems);
  });

  it('knows the same ecosystems as src/core/ecosystems.ts', () => {
    expect([...KNOWN_ECOSYSTEM_IDS].sort()).toEqual(ECOSYSTEMS.map((e) => e.id).sort());
  });

  it('names the source in the message', () => {
    expect(() => validateConfig({ format: 1 }, 'the "buildlens" key of package.json')).toThrow(/^the "buildlens" key of package.json: "format" is 1/);
  });
});

describe('mergeConfig', () => {
  it('uses the defaults when nothing is set', () => {
    expect(mergeConfig(DEFAULT_CONFIG, {}, {})).toEqual({ failOn: 'none', format: 'table', color: true, rules: {}, ecosystems: {}, budgets: {} });
  });

  it('lets the file override the defaults and the flags override the file', () => {
    const merged = mergeConfig(DEFAULT_CONFIG, { failOn: 'error', format: 'markdown', color: false }, { failOn: 'info' });
    expect(merged).toEqual({ failOn: 'info', format: 'markdown', color: false, rules: {}, ecosystems: {}, budgets: {} });
  });

  it('merges rules rule by rule', () => {
    const merged = mergeConfig({ ...DEFAULT_CONFIG, rules: { a: 'info', b: 'info' } }, { rules: { b: 'off', c: 'error' } }, { rules: { c: 'warning' } });
    expect(merged.rules).toEqual({ a: 'info', b: 'off', c: 'warning' });
  });

  it('does not change its inputs', () => {
    const file = { rules: { a: 'off' as const } };
    mergeConfig(DEFAULT_CONFIG, file, {});
    expect(DEFAULT_CONFIG.rules).toEqual({});
    expect(file).toEqual({ rules: { a: 'off' } });
  });
});

describe('findConfig', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'buildlens-config-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds .buildlens.json in a parent directory', async () => {
    writeFileSync(join(root, '.buildlens.json'), JSON.stringify({ failOn: 'warning' }));
    const deep = join(root, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    const found = await findConfig(deep);
    expect(found).toEqual({ path: join(root, '.buildlens.json'), config: { failOn: 'warning' } });
  });

  it('reads the buildlens key of package.json, passing over a package.json without one', async () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'app', buildlens: { format: 'markdown' } }));
    const pkg = join(root, 'packages', 'web');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'web' }));
    const found = await findConfig(pkg);
    expect(found).toEqual({ path: join(root, 'package.json'), config: { format: 'markdown' } });
  });

  it('prefers .buildlens.json to package.json in the same directory, and the nearest directory wins', async () => {
    writeFileSync(join(root, '.buildlens.json'), JSON.stringify({ failOn: 'error' }));
    const sub = join(root, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'package.json'), JSON.stringify({ buildlens: { failOn: 'info' } }));
    writeFileSync(join(sub, '.buildlens.json'), JSON.stringify({ failOn: 'warning' }));
    expect((await findConfig(sub))?.config).toEqual({ failOn: 'warning' });
    rmSync(join(sub, '.buildlens.json'));
    expect((await findConfig(sub))?.config).toEqual({ failOn: 'info' });
  });

  it('reports invalid JSON with the file name', async () => {
    writeFileSync(join(root, '.buildlens.json'), '{ failOn: error }');
    await expect(findConfig(root)).rejects.toThrow(ConfigError);
    await expect(findConfig(root)).rejects.toThrow(/\.buildlens\.json is not valid JSON .*: fix it or remove it\./);
  });

  it('reports an invalid buildlens key', async () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ buildlens: { format: 'pdf' } }));
    await expect(findConfig(root)).rejects.toThrow(/The "buildlens" key of .*package\.json: "format" is "pdf"/);
  });

  it('loads an explicit --config file, relative to cwd, or a package.json key', async () => {
    writeFileSync(join(root, 'ci.json'), JSON.stringify({ format: 'json' }));
    expect((await loadConfigFile('ci.json', root)).config).toEqual({ format: 'json' });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ buildlens: { color: false } }));
    expect((await loadConfigFile('package.json', root)).config).toEqual({ color: false });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'x' }));
    await expect(loadConfigFile('package.json', root)).rejects.toThrow(/has no "buildlens" key/);
    await expect(loadConfigFile('missing.json', root)).rejects.toThrow(/The config file missing\.json does not exist: check the path given to --config\./);
  });
});
