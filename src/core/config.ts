// The configuration: its schema, validation with errors a user can act on, and merging
// (defaults < config file < command-line flags). Pure: reading files is src/io/config-file.ts.
import type { Severity } from './model.js';
import { BUDGET_CONFIG_KEYS, BUDGET_FLAGS, BudgetSyntaxError, parseBudget, setBudget, type Budgets } from './budgets.js';

/** What `.buildlens.json` says of an ecosystem (docs/config.md, "ecosystems"); read by src/core/ecosystems.ts. */
export interface EcosystemOverride {
  /** Commands that are this ecosystem's dependency install (`make deps`), matched word by word at the start of a simple command. */
  installCommands?: string[];
  /** Its cache directories in the image: proposed as cache-mount targets; a mount or clean-up of them counts. */
  cachePaths?: string[];
  /** Manifest files its install reads, added to the known ones. */
  manifests?: string[];
}

export type EcosystemOverrides = Record<string, EcosystemOverride>;

/** The ecosystems src/core/ecosystems.ts knows (kept here so that reading a config loads no parser; a unit test keeps them equal). */
export const KNOWN_ECOSYSTEM_IDS: readonly string[] = ['npm', 'yarn', 'pnpm', 'bun', 'pip', 'pipenv', 'poetry', 'uv', 'go', 'cargo', 'maven', 'gradle', 'dotnet', 'bundler', 'composer', 'apt', 'apk', 'dnf'];

const isKnownEcosystem = (id: string) => KNOWN_ECOSYSTEM_IDS.includes(id);

export type FailOn = Severity | 'none';
export type OutputFormat = 'table' | 'json' | 'markdown' | 'sarif';
export type RuleSetting = Severity | 'off';

export const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'warning', 'info', 'none'];
export const FORMAT_VALUES: readonly OutputFormat[] = ['table', 'json', 'markdown', 'sarif'];
export const RULE_SETTINGS: readonly RuleSetting[] = ['error', 'warning', 'info', 'off'];

/** What a config file (or the flags) may set; every key optional. */
export interface Config {
  /** Exit 1 when a finding is at or above this severity; 'none' never does. */
  failOn?: FailOn;
  /** The report format when `--format` is not given. */
  format?: OutputFormat;
  /** false: never colour. true (the default): colour when the terminal allows it. */
  color?: boolean;
  /** Per-rule severity, or 'off'. Unlisted rules keep their default severity. */
  rules?: Record<string, RuleSetting>;
  /** Per ecosystem (a known id such as `npm`, or a new one): install commands, cache paths, manifests. */
  ecosystems?: EcosystemOverrides;
  /**
   * Budgets (`maxDuration`, `maxStepDuration`, `minCacheRatio`, `maxContext`, `maxRegression` in a
   * file; `--max-duration`, … as flags), parsed.
   */
  budgets?: Budgets;
}

/** The merged configuration every command reads. */
export interface ResolvedConfig {
  failOn: FailOn;
  format: OutputFormat;
  color: boolean;
  rules: Record<string, RuleSetting>;
  ecosystems: EcosystemOverrides;
  budgets: Budgets;
}

export const DEFAULT_CONFIG: ResolvedConfig = { failOn: 'none', format: 'table', color: true, rules: {}, ecosystems: {}, budgets: {} };

/** A configuration the user wrote wrong: the message says where and what to write instead. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const KEYS = ['failOn', 'format', 'color', 'rules', 'ecosystems', ...Object.values(BUDGET_CONFIG_KEYS)] as const;
const ECOSYSTEM_KEYS = ['installCommands', 'cachePaths', 'manifests'] as const;

function list(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Check a parsed config object. `source` names where it came from (`.buildlens.json`,
 * `the "buildlens" key of package.json`) for the error message. Unknown keys are errors (a typo
 * should not be silently ignored); `$schema` is allowed.
 */
export function validateConfig(obj: unknown, source: string): Config {
  if (!isPlainObject(obj)) throw new ConfigError(`${source} must hold a JSON object, not ${describe(obj)}.`);
  const config: Config = {};
  for (const key of Object.keys(obj)) {
    if (key === '$schema') continue;
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`${source} has an unknown key "${key}": the keys are ${list(KEYS)}.`);
    }
  }
  const { failOn, format, color, rules, ecosystems } = obj;
  if (failOn !== undefined) {
    if (!FAIL_ON_VALUES.includes(failOn as FailOn)) throw new ConfigError(`${source}: "failOn" is ${describe(failOn)}; use ${list(FAIL_ON_VALUES)}.`);
    config.failOn = failOn as FailOn;
  }
  if (format !== undefined) {
    if (!FORMAT_VALUES.includes(format as OutputFormat)) throw new ConfigError(`${source}: "format" is ${describe(format)}; use ${list(FORMAT_VALUES)}.`);
    config.format = format as OutputFormat;
  }
  if (color !== undefined) {
    if (typeof color !== 'boolean') throw new ConfigError(`${source}: "color" is ${describe(color)}; use true or false.`);
    config.color = color;
  }
  if (rules !== undefined) {
    if (!isPlainObject(rules)) throw new ConfigError(`${source}: "rules" is ${describe(rules)}; use an object such as { "rule-id": "warning" }.`);
    const out: Record<string, RuleSetting> = {};
    for (const [id, setting] of Object.entries(rules)) {
      if (!RULE_SETTINGS.includes(setting as RuleSetting)) {
        throw new ConfigError(`${source}: rule "${id}" is set to ${describe(setting)}; use ${list(RULE_SETTINGS)}.`);
      }
      out[id] = setting as RuleSetting;
    }
    config.rules = out;
  }
  for (const name of BUDGET_FLAGS) {
    const key = BUDGET_CONFIG_KEYS[name];
    const value = obj[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ConfigError(`${source}: "${key}" is ${describe(value)}; use a string such as ${BUDGET_EXAMPLES[key]}.`);
    }
    try {
      setBudget((config.budgets ??= {}), name, parseBudget(name, value));
    } catch (err) {
      if (err instanceof BudgetSyntaxError) throw new ConfigError(`${source}: "${key}" ${err.message}.`);
      throw err;
    }
  }
  if (ecosystems !== undefined) config.ecosystems = validateEcosystems(ecosystems, source);
  return config;
}

function validateEcosystems(value: unknown, source: string): EcosystemOverrides {
  const example = '{ "npm": { "installCommands": ["make deps"], "cachePaths": ["/root/.npm"] } }';
  if (!isPlainObject(value)) throw new ConfigError(`${source}: "ecosystems" is ${describe(value)}; use an object such as ${example}.`);
  const out: EcosystemOverrides = {};
  for (const [id, entry] of Object.entries(value)) {
    if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new ConfigError(`${source}: ecosystem "${id}" is not a valid name; use lower-case letters, digits and dashes (such as "npm" or "my-tool").`);
    if (!isPlainObject(entry)) throw new ConfigError(`${source}: ecosystem "${id}" is ${describe(entry)}; use an object such as { "installCommands": ["make deps"] }.`);
    const o: EcosystemOverride = {};
    for (const key of Object.keys(entry)) {
      if (!(ECOSYSTEM_KEYS as readonly string[]).includes(key)) throw new ConfigError(`${source}: ecosystem "${id}" has an unknown key "${key}": the keys are ${list(ECOSYSTEM_KEYS)}.`);
      const v = entry[key];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) {
        throw new ConfigError(`${source}: ecosystems.${id}.${key} is ${describe(v)}; use an array of non-empty strings.`);
      }
      if (key === 'cachePaths') {
        const relative = (v as string[]).find((p) => !p.startsWith('/'));
        if (relative !== undefined) throw new ConfigError(`${source}: ecosystems.${id}.cachePaths has "${relative}"; give absolute paths in the image, such as "/root/.npm".`);
      }
      o[key as (typeof ECOSYSTEM_KEYS)[number]] = (v as string[]).map((x) => x.trim());
    }
    if (!isKnownEcosystem(id) && (o.installCommands ?? []).length === 0) {
      throw new ConfigError(`${source}: ecosystem "${id}" is not one buildlens knows, so it needs "installCommands" (the commands that install its dependencies).`);
    }
    out[id] = o;
  }
  return out;
}

const BUDGET_EXAMPLES: Record<string, string> = { maxDuration: '"5m"', maxStepDuration: '"60s"', minCacheRatio: '0.8', maxContext: '"200MB"', maxRegression: '"10%"' };

/** defaults < file < flags; `rules` are merged rule by rule, budgets budget by budget. */
export function mergeConfig(defaults: ResolvedConfig, file: Config, flags: Config): ResolvedConfig {
  return {
    failOn: flags.failOn ?? file.failOn ?? defaults.failOn,
    format: flags.format ?? file.format ?? defaults.format,
    color: flags.color ?? file.color ?? defaults.color,
    rules: { ...defaults.rules, ...file.rules, ...flags.rules },
    ecosystems: { ...defaults.ecosystems, ...file.ecosystems, ...flags.ecosystems },
    budgets: { ...defaults.budgets, ...file.budgets, ...flags.budgets },
  };
}
