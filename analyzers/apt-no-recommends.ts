// `apt-get install` without `--no-install-recommends`: apt also installs every package the requested
// ones recommend, often as many again, which costs download and unpack time and image size. Adding
// the flag changes what gets installed (a recommended package the image relies on, such as
// ca-certificates, may go), so this is a suggestion, never a fix. See docs/rules/apt-no-recommends.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { aptSubcommand, shellCommands } from './apt-update-alone.js';

export const aptNoRecommends: Analyzer = {
  id: 'apt-no-recommends',
  description: 'apt-get install without --no-install-recommends: recommended packages are installed too.',
  defaultSeverity: 'info',
  messages: {
    recommends:
      '`{{command}}` installs the recommended packages too, often as many again as the ones asked for: more to download, unpack and ship.',
    addFlag:
      'Add `--no-install-recommends` to `{{command}}`, and name any recommended package the image relies on (often `ca-certificates`) in the install.',
  },
  needs: ['dockerfile'],
  analyze(ctx: AnalyzerContext): Report[] {
    const df = ctx.dockerfile;
    if (!df) return [];
    // Recommends switched off in apt's configuration by the Dockerfile itself.
    const configured = /APT::Install-Recommends/i.test(df.text);
    if (configured) return [];
    const reports: Report[] = [];
    for (const ins of df.parsed.instructions) {
      if (ins.keyword !== 'RUN') continue;
      for (const command of shellCommands(ins)) {
        if (aptSubcommand(command) !== 'install') continue;
        if (/(^| )--no-install-recommends( |$)/.test(command)) continue;
        const data = { command: shorten(command) };
        reports.push({ messageId: 'recommends', data, line: ins.line, suggestion: 'addFlag' });
      }
    }
    return reports;
  },
};

function shorten(command: string): string {
  return command.length > 60 ? `${command.slice(0, 59)}…` : command;
}
