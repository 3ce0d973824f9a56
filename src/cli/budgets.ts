// Budget flags shared by `build`, `report` and `compare`: parsing them into Budgets (a mistake is a
// usage error naming the flag), reading the --baseline report, and printing what was breached.
import { BUDGET_FLAGS, BudgetSyntaxError, breachText, checkBudgets, hasBudgets, parseBudget, setBudget, type BudgetName, type BudgetResult, type Budgets } from '../core/budgets.js';
import { CompareInputError, asComparableReport } from '../core/compare.js';
import { stripControl } from '../core/markdown.js';
import type { Report } from '../core/report/report.js';
import { InputError } from '../io/errors.js';
import { readTextFile } from '../io/read-text.js';
import { UsageError } from './args.js';
import type { CliIO, CliOutput } from './io.js';

/** parseArgs options of the budget flags (and --baseline). */
export const BUDGET_OPTIONS = {
  'max-duration': { type: 'string' },
  'max-step-duration': { type: 'string' },
  'min-cache-ratio': { type: 'string' },
  'max-context': { type: 'string' },
  'max-regression': { type: 'string' },
} as const;

/** Budgets from flag values (`values['max-duration']`, …); absent flags are left out. */
export function budgetsFromFlags(values: Partial<Record<BudgetName, string | undefined>>, command: string): Budgets {
  const budgets: Budgets = {};
  for (const name of BUDGET_FLAGS) {
    const value = values[name];
    if (value === undefined) continue;
    try {
      setBudget(budgets, name, parseBudget(name, value));
    } catch (err) {
      if (err instanceof BudgetSyntaxError) throw new UsageError(`\`--${name}\` ${err.message}`, command);
      throw err;
    }
  }
  return budgets;
}

/** Read a JSON report the user names (`--baseline FILE`, compare's arguments); errors are one sentence. */
export async function readReportFile(path: string, io: CliIO, hint: string): Promise<Report> {
  const text = await readTextFile(path, io.cwd, `The report ${path}`, hint);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`${path} is not JSON: pass a report written by \`buildlens build --report FILE\` or \`buildlens report --format json\`.`);
  }
  try {
    return asComparableReport(json, path);
  } catch (err) {
    if (err instanceof CompareInputError) throw new InputError(err.message);
    throw err;
  }
}

/** Breaches (and budgets that could not be checked) on stderr, one line each. True when one was breached. */
export function printBudgetResult(result: BudgetResult, out: CliOutput): boolean {
  for (const b of result.breaches) out.write(`buildlens: ${stripControl(breachText(b)).replace(/[\r\n\t]+/g, ' ')}.\n`);
  for (const u of result.unchecked) out.write(`buildlens: budget --${u.budget} not checked: ${u.reason}.\n`);
  return result.breaches.length > 0;
}

/** Read the `--baseline FILE` report, when given (before the build or the report runs: a wrong path stops early). */
export async function readBaseline(path: string | undefined, io: CliIO, command: string): Promise<Report | null> {
  if (path === undefined) return null;
  if (path === '') throw new UsageError('`--baseline` needs a report file', command);
  return readReportFile(path, io, 'check the path given to --baseline');
}

/**
 * `build` and `report`: check the report against the budgets and keep the result on it (the JSON and
 * markdown reports show it), before it is rendered. Null when no budget is set.
 */
export function recordBudgets(report: Report, budgets: Budgets, baseline: Report | null): BudgetResult | null {
  report.budgets = hasBudgets(budgets) ? checkBudgets(report, budgets, baseline) : null;
  return report.budgets;
}
