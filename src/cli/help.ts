// Help texts: plain strings, cheap to load (`buildlens --help` must start fast).

export const COMMANDS = ['report', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const GENERAL_HELP = `buildlens — make slow Docker builds fast: which steps took the time, which hit
the cache, why a build failed, and what to change in the Dockerfile.

Usage
  buildlens <command> [options]

Commands
  report <file|->     Report on a saved \`docker build\` log (or stdin with -)
  help [command]      Show the help of a command

Options
  -h, --help          Show this help
  -V, --version       Print the version

Report options (see \`buildlens help report\`)
  --dockerfile PATH   Map steps to Dockerfile lines and check the Dockerfile
  --format FORMAT     table (default), json or markdown
  -o, --output FILE   Write the report to FILE instead of stdout
  --fail-on LEVEL     Exit 1 on a finding at or above error, warning or info
  --no-color          No colour
  --config PATH       Use this config file

Examples
  docker build --progress=plain . 2>&1 | tee build.log
  buildlens report build.log --dockerfile Dockerfile
  docker build --progress=plain . 2>&1 | buildlens report -
  buildlens report build.log --format markdown >> "$GITHUB_STEP_SUMMARY"

Exit codes
  0  fine (a report of a failed build included)
  1  a finding at or above --fail-on
  2  usage, input or environment error (bad flag, unreadable file, not a build log)
  130, 143  interrupted (SIGINT, SIGTERM)

Reference: docs/cli.md (commands and flags), docs/config.md, docs/report-format.md
`;

export const REPORT_HELP = `Usage
  buildlens report <file|-> [options]

Reads a saved build log and prints a report: every step in build order with its
status (CACHED, DONE, ERROR, CANCELED, INCOMPLETE), its time and share, the wall
and summed step time, how many steps hit the cache, the context size, the slowest
steps, the error of a failed build, warnings, and findings on the Dockerfile.
The log may be BuildKit plain text (--progress=plain), BuildKit rawjson
(--progress=rawjson) or the legacy builder's output; the format is detected.

Arguments
  <file>               The log file, or - to read the log from stdin

Options
  --dockerfile PATH    The Dockerfile the log was built from: steps are mapped to
                       its lines and the analyzers check it
  --format FORMAT      table (default), json or markdown. json is the documented,
                       versioned report (docs/report-format.md)
  -o, --output FILE    Write the report to FILE; nothing goes to stdout
  --fail-on LEVEL      Exit 1 when a finding is at or above LEVEL: error, warning,
                       info, or none (the default: findings never fail)
  --no-color           No colour (also off with NO_COLOR, TERM=dumb, or when
                       stdout is not a terminal)
  --config PATH        Read the config from PATH (a .buildlens.json, or a
                       package.json with a "buildlens" key) instead of looking
                       for one from the current directory upwards
  -h, --help           Show this help

A log of a FAILED build still gets its full report, and \`report\` exits 0 for it:
the report itself succeeded. Exit 1 comes only from --fail-on; 2 means the log,
the Dockerfile, the config or the command line could not be used.

Examples
  buildlens report build.log
  buildlens report build.log --dockerfile Dockerfile --fail-on warning
  docker buildx build --progress=rawjson . 2>&1 | buildlens report - --format json
  buildlens report build.log --format markdown -o report.md
`;

export const HELP_HELP = `Usage
  buildlens help [command]

Shows the help of a command (report, help), or the general help.

Examples
  buildlens help report
`;

export function commandHelp(command: CommandName): string {
  switch (command) {
    case 'report': return REPORT_HELP;
    case 'help': return HELP_HELP;
  }
}
