// SARIF 2.1.0 (the format GitHub code scanning and most CI annotators read): one run, the rules
// from the analyzers' metadata, one result per finding, located at its file and line.
import type { Finding, Severity } from '../model.js';

export interface SarifRule {
  id: string;
  description: string;
  defaultSeverity: Severity;
}

export interface SarifInput {
  findings: readonly Finding[];
  rules: readonly SarifRule[];
  toolVersion: string;
  /** An absolute URL where the rule docs live (`…/docs/rules/`): a rule's helpUri is this plus `<id>.md`. */
  docsBase?: string;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A file path as a SARIF artifact URI: forward slashes, relative paths kept relative, each segment percent-encoded. */
function artifactUri(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '').split('/').map((s) => encodeURIComponent(s)).join('/');
}

export function renderSarif(input: SarifInput): string {
  const rules = input.rules.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.description },
    help: { text: `See docs/rules/${r.id}.md.` },
    ...(input.docsBase ? { helpUri: `${input.docsBase}${r.id}.md` } : {}),
    defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
  }));
  const index = new Map(input.rules.map((r, i) => [r.id, i]));
  const results = input.findings.map((f) => {
    const text = [f.message, f.suggestion, f.fix ? `Fix: ${f.fix.description}` : undefined].filter(Boolean).join('\n');
    const result: Record<string, unknown> = {
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: { text },
    };
    const ruleIndex = index.get(f.rule);
    if (ruleIndex !== undefined) result.ruleIndex = ruleIndex;
    if (f.file !== null) {
      const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(f.file) } };
      if (f.line !== null) physicalLocation.region = { startLine: f.line };
      result.locations = [{ physicalLocation }];
    }
    if (f.costMs !== undefined) result.properties = { costMs: f.costMs };
    return result;
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'buildlens', version: input.toolVersion, rules } }, results }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
