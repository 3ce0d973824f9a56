// `buildlens why [BEFORE.json AFTER.json]`: for every step that ran in AFTER, the first cause of its
// re-run, following the chain to its root (src/core/why.ts), from the fingerprints `buildlens build`
// records. With no reports: the last two builds of the newest key in the history; `--baseline FILE`
// compares with a report from elsewhere (a fresh CI runner has no history).
import { cacheDir, newestKeyReports } from '../../io/history.js';
import { InputError } from '../../io/errors.js';
import { writeOutputFile } from '../../io/output.js';
import { UsageError, oneOf, parseCommandArgs } from '../args.js';
import { readReportFile } from '../budgets.js';
import { EXIT } from '../exit-codes.js';
import { WHY_HELP } from '../help.js';
import type { CliIO } from '../io.js';

const WHY_FORMATS = ['table', 'json', 'markdown'] as const;
type WhyFormat = (typeof WHY_FORMATS)[number];

const OPTIONS = {
  baseline: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runWhy(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('why', args, OPTIONS);
  if (values.help) {
    io.stdout.write(WHY_HELP);
    return EXIT.OK;
  }
  const format: WhyFormat = oneOf<WhyFormat>('--format', values.format, WHY_FORMATS, 'why') ?? 'table';
  if (values.output === '') throw new UsageError('`--output` needs a file name', 'why');
  if (values.baseline === '') throw new UsageError('`--baseline` needs a report file', 'why');
  if (positionals.length > 2) throw new UsageError(`\`why\` takes at most two JSON reports, BEFORE and AFTER, but got ${positionals.length}`, 'why');
  if (positionals.length === 2 && values.baseline !== undefined) throw new UsageError('`--baseline` is BEFORE: give it with one report (AFTER), or give BEFORE and AFTER without it', 'why');
  if (positionals.length === 1 && values.baseline === undefined) throw new UsageError('`why` takes two reports, BEFORE and AFTER (or AFTER with `--baseline BEFORE`), or none to compare the last two builds in the history', 'why');

  let beforeFile: string;
  let afterFile: string;
  const labels: { beforeLabel?: string; afterLabel?: string } = {};
  if (positionals.length === 2) [beforeFile, afterFile] = positionals as [string, string];
  else {
    let after = positionals[0];
    let before = values.baseline;
    if (after === undefined || before === undefined) {
      const { key, paths } = await newestKeyReports(cacheDir(io.env));
      if (paths.length === 0) {
        throw new InputError('The history holds no build yet: build with `buildlens build` (twice, to compare), or pass BEFORE.json and AFTER.json.');
      }
      const where = key ? ` of ${key.context}${key.target ? ` (target ${key.target})` : ''}` : '';
      if (after === undefined) {
        after = paths[paths.length - 1]!;
        labels.afterLabel = `the newest build${where} in the history`;
      }
      if (before === undefined) {
        if (paths.length < 2) throw new InputError('The history holds only one build of this context and Dockerfile: build again, or compare with a report from elsewhere with `--baseline FILE`.');
        before = paths[paths.length - 2]!;
        labels.beforeLabel = 'the build before it';
      }
    }
    beforeFile = before;
    afterFile = after;
  }
  const [before, after] = await Promise.all([
    readReportFile(beforeFile, io, 'check the path of the BEFORE report'),
    readReportFile(afterFile, io, 'check the path of the AFTER report'),
  ]);
  const { explainRebuild } = await import('../../core/why.js');
  const why = explainRebuild(before, after, { beforeFile, afterFile, ...labels });
  const render = await import('../../core/report/render-why.js');
  const text = format === 'json' ? render.renderWhyJson(why) : format === 'markdown' ? render.renderWhyMarkdown(why) : render.renderWhyTable(why);
  if (values.output !== undefined) await writeOutputFile(values.output, text, io.cwd);
  else io.stdout.write(text);
  return EXIT.OK;
}
