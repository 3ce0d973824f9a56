// SARIF 2.1.0 (the format GitHub code scanning and most CI annotators read): one run, the rules
// from the analyzers' metadata (with their docs as help), one result per finding with its rule
// index, level and location. A test validates the output against the official 2.1.0 JSON schema.
import type { Severity } from '../model.js';

export interface SarifRule {
  id: string;
  description: string;
  defaultSeverity: Severity;
}

export interface SarifFinding {
  rule: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  suggestion?: string | null;
  fix?: { description: string } | null;
  costMs?: number | null;
}

export interface SarifInput {
  findings: readonly SarifFinding[];
  rules: readonly SarifRule[];
  toolVersion: string;
  /** An absolute URL where the rule docs live (`…/docs/rules/`): a rule's helpUri is this plus `<id>.md`. */
  docsBase?: string | null;
  /** The rule docs (docs/rules/<id>.md) by id: each rule's help, as markdown and as text. */
  ruleDocs?: ReadonlyMap<string, string>;
  /** Where a finding without a file points (the build's Dockerfile), when known. */
  defaultFile?: string | null;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A file path as a SARIF artifact URI: forward slashes, relative paths kept relative, each segment percent-encoded. */
export function artifactUri(path: string): string {
  const p = path.replace(/\\/g, '/').replace(/^\.\//, '');
  const abs = p.startsWith('/');
  const encoded = p.split('/').map((s) => encodeURIComponent(s)).join('/');
  return abs ? `file://${encoded}` : encoded;
}

/** `copy-before-install` → `CopyBeforeInstall` (SARIF's rule `name` is an identifier-like label). */
function ruleName(id: string): string {
  return id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

export function renderSarif(input: SarifInput): string {
  const rules: SarifRule[] = [...input.rules];
  // A finding of a rule the list lacks still gets a rule entry, so that every ruleIndex is valid.
  for (const f of input.findings) {
    if (!rules.some((r) => r.id === f.rule)) rules.push({ id: f.rule, description: f.rule, defaultSeverity: f.severity });
  }
  const sarifRules = rules.map((r) => {
    const doc = input.ruleDocs?.get(r.id);
    const docPath = `docs/rules/${r.id}.md`;
    return {
      id: r.id,
      name: ruleName(r.id),
      shortDescription: { text: r.description },
      fullDescription: { text: r.description },
      help: doc ? { text: doc, markdown: doc } : { text: `${r.description} See ${docPath} in the buildlens package.` },
      ...(input.docsBase ? { helpUri: `${input.docsBase.replace(/\/?$/, '/')}${encodeURIComponent(r.id)}.md` } : {}),
      defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
      properties: { tags: ['docker', 'build-performance'] },
    };
  });
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = input.findings.map((f) => {
    const text = [f.message, f.suggestion ?? undefined, f.fix ? `Fix: ${f.fix.description}` : undefined].filter(Boolean).join('\n');
    const result: Record<string, unknown> = {
      ruleId: f.rule,
      ruleIndex: index.get(f.rule)!,
      level: LEVEL[f.severity],
      message: { text },
    };
    const file = f.file ?? input.defaultFile ?? null;
    if (file !== null) {
      const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(file) } };
      if (f.line !== null && f.line >= 1 && file === f.file) physicalLocation.region = { startLine: f.line };
      result.locations = [{ physicalLocation }];
    }
    if (f.costMs !== undefined && f.costMs !== null) result.properties = { costMs: f.costMs };
    return result;
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'buildlens', version: input.toolVersion, semanticVersion: input.toolVersion, rules: sarifRules } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
