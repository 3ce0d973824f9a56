// `buildlens compare BEFORE.json AFTER.json`: two JSON reports of the same project (before and after
// a change), step by step and in total, in the chosen format; budgets and --fail-on apply to AFTER,
// with BEFORE as the baseline of --max-regression.
import { DEFAULT_CONFIG, FAIL_ON_VALUES, FORMAT_VALUES, mergeConfig, type Config, type FailOn } from '../../core/config.js';
import { checkBudgets, hasBudgets } from '../../core/budgets.js';
import { compareReports } from '../../core/compare.js';
import { writeOutputFile } from '../../io/output.js';
import { UsageError, oneOf, parseCommandArgs } from '../args.js';
import { BUDGET_OPTIONS, budgetsFromFlags, printBudgetResult, readReportFile } from '../budgets.js';
import { EXIT, failOnTripped } from '../exit-codes.js';
import { COMPARE_HELP } from '../help.js';
import type { CliIO } from '../io.js';
import { loadConfig } from './report.js';

const OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  'no-color': { type: 'boolean' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...BUDGET_OPTIONS,
} as const;

export async function runCompare(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('compare', args, OPTIONS);
  if (values.help) {
    io.stdout.write(COMPARE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 2) {
    throw new UsageError(`\`compare\` takes two JSON reports, BEFORE and AFTER, but got ${positionals.length === 0 ? 'none' : positionals.length}`, 'compare');
  }
  const [beforeFile, afterFile] = positionals as [string, string];
  const flags: Config = {};
  const format = oneOf('--format', values.format, FORMAT_VALUES, 'compare');
  if (format) flags.format = format;
  const failOn = oneOf<FailOn>('--fail-on', values['fail-on'], FAIL_ON_VALUES, 'compare');
  if (failOn) flags.failOn = failOn;
  if (values['no-color']) flags.color = false;
  if (values.output === '') throw new UsageError('`--output` needs a file name', 'compare');
  flags.budgets = budgetsFromFlags(values, 'compare');

  const found = await loadConfig(values.config, io.cwd);
  const config = mergeConfig(DEFAULT_CONFIG, found?.config ?? {}, flags);
  const [before, after] = await Promise.all([
    readReportFile(beforeFile, io, 'check the path of the BEFORE report'),
    readReportFile(afterFile, io, 'check the path of the AFTER report'),
  ]);
  const budgets = hasBudgets(config.budgets) ? checkBudgets(after, config.budgets, before) : null;
  const comparison = compareReports(before, after, { beforeFile, afterFile, budgets });

  const render = await import('../../core/report/render-compare.js');
  const text = config.format === 'json' ? render.renderCompareJson(comparison)
    : config.format === 'markdown' ? render.renderCompareMarkdown(comparison)
    : render.renderCompareTable(comparison);
  if (values.output !== undefined) await writeOutputFile(values.output, text, io.cwd);
  else io.stdout.write(text);

  const breached = budgets ? printBudgetResult(budgets, io.stderr) : false;
  return breached || failOnTripped(after.findings, config.failOn) ? EXIT.FINDINGS : EXIT.OK;
}
