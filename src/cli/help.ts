// Help texts: plain strings, cheap to load (`buildlens --help` must start fast).

export const COMMANDS = ['report', 'build', 'context', 'lint', 'compare', 'why', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const GENERAL_HELP = `buildlens — make slow Docker builds fast: which steps took the time, which hit
the cache, why a build failed, and what to change in the Dockerfile.

Usage
  buildlens <command> [options]

Commands
  report <file|->     Report on a saved \`docker build\` log (or stdin with -)
  build <docker args> Run \`docker build\` with a live view, then report on it
  context [DIR]       What the build context holds, what BuildKit sends, and the
                      .dockerignore lines that shrink it
  lint [DOCKERFILE]   The cache breakers of a Dockerfile, with the rewritten
                      Dockerfile that fixes them (--diff shows it, --fix writes it)
  compare BEFORE.json AFTER.json
                      Two JSON reports step by step: time, cache, findings
  why [BEFORE.json AFTER.json]
                      Why each step that ran missed the cache: files,
                      build-args, instruction, base image, parent, no cache
  help [command]      Show the help of a command

Options
  -h, --help          Show this help
  -V, --version       Print the version

Report options (see \`buildlens help report\`)
  --dockerfile PATH   Map steps to Dockerfile lines and check the Dockerfile
  --format FORMAT     table (default), json, markdown or sarif
  --annotations       Also print findings as GitHub workflow commands (stderr)
  --all               With --format json: an array of every build in the log
  -o, --output FILE   Write the report to FILE instead of stdout
  --fail-on LEVEL     Exit 1 on a finding at or above error, warning or info
  --no-color          No colour
  --config PATH       Use this config file

Budgets (report, build, compare; also in .buildlens.json)
  --max-duration 5m  --max-step-duration 60s  --min-cache-ratio 0.8
  --max-context 200MB  --max-regression 10% (with compare or --baseline FILE)

Examples
  docker build --progress=plain . 2>&1 | tee build.log
  buildlens report build.log --dockerfile Dockerfile
  docker build --progress=plain . 2>&1 | buildlens report -
  buildlens report build.log --format markdown >> "$GITHUB_STEP_SUMMARY"

Exit codes
  0  fine (a report of a failed build included)
  1  a finding at or above --fail-on, or a budget breached
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
A log that holds several builds (builds run one after another, docker compose
services) is reported build by build, each under a "Build 2 of 3" heading.

Arguments
  <file>               The log file, or - to read the log from stdin

Options
  --dockerfile PATH    The Dockerfile the log was built from: steps are mapped to
                       its lines and the analyzers check it
  --format FORMAT      table (default), json, markdown or sarif. json is the
                       documented, versioned report (docs/report-format.md);
                       markdown is made for pull-request comments (under
                       GitHub's 65,536 characters); sarif is SARIF 2.1.0
  --annotations        Also print each finding as a GitHub Actions workflow
                       command (::warning file=…,line=…::…) on stderr
  --all                With --format json and a log of several builds: print a
                       JSON array of every build's report (without it, json
                       gives the LAST build's report; table and markdown always
                       show every build)
  --no-history         Do not read the history (by default cached steps are
                       priced with their time in the newest earlier build of
                       the Dockerfile that ran them)
  -o, --output FILE    Write the report to FILE; nothing goes to stdout
  --fail-on LEVEL      Exit 1 when a finding is at or above LEVEL: error, warning,
                       info, or none (the default: findings never fail)
  --no-color           No colour (also off with NO_COLOR, TERM=dumb, or when
                       stdout is not a terminal)
  --max-duration D     Budget: exit 1 when the build's wall time (the summed
                       step time when the log has no clock) is over D (5m, 90s)
  --max-step-duration D
                       Budget: exit 1 when any step takes longer than D
  --min-cache-ratio R  Budget: exit 1 when fewer than R (0.8 or 80%) of the
                       non-internal steps came from the cache
  --max-context SIZE   Budget: exit 1 when the build context sent is over SIZE
                       (200MB, 1.5GB: decimal units, as docker prints them)
  --baseline FILE      A JSON report to check --max-regression against
  --max-regression P   Budget: exit 1 when the build is more than P (10%)
                       slower than --baseline
  --config PATH        Read the config from PATH (a .buildlens.json, or a
                       package.json with a "buildlens" key) instead of looking
                       for one from the current directory upwards
  -h, --help           Show this help

A log of a FAILED build still gets its full report, and \`report\` exits 0 for it:
the report itself succeeded. Exit 1 comes only from --fail-on or a breached
budget (each breach is printed on stderr: the budget, the figure, the limit); 2 means the log,
the Dockerfile, the config or the command line could not be used.

Examples
  buildlens report build.log
  buildlens report build.log --dockerfile Dockerfile --fail-on warning
  docker buildx build --progress=rawjson . 2>&1 | buildlens report - --format json
  buildlens report build.log --format markdown -o report.md
  buildlens report compose-build.log --format json --all
`;

export const BUILD_HELP = `Usage
  buildlens build [buildlens options] [--] <docker build arguments>

Runs \`docker buildx build\` (or \`docker build\` with DOCKER_BUILDKIT=0) with your
arguments, unchanged: tags, -f, --target, --build-arg, --secret, --platform,
--builder, --cache-from/--cache-to, -o, -q, … stdout stays docker's (-q prints
the image id, -o - the tar). buildlens shows the build on stderr, then the
report (as \`buildlens report\`), and keeps the report in a history under the
user's cache directory. The report records what each step's cache key depends
on (fingerprints: file digests, build-args as salted hashes, base images), and
the table ends with why each expensive step ran, against the previous build
(\`buildlens why\` explains every step). Progress is read from
--progress=rawjson where buildx has it, else --progress=plain, else the legacy
builder's output.

Options (buildlens's own; everything else goes to docker)
  --view VIEW          auto (default: live on a terminal outside CI, else
                       plain), live, plain (docker's plain lines) or quiet
                       (only the report). A --progress given to docker is
                       read as the view.
  --report FILE        Also write the JSON report to FILE
  --log FILE           Save docker's raw progress output to FILE
  --format FORMAT      The printed report: table (default), json, markdown or
                       sarif. On GitHub Actions (GITHUB_ACTIONS=true) the
                       markdown report is also appended to $GITHUB_STEP_SUMMARY
  --annotations        Print findings as GitHub workflow commands on stderr
  --redact NAME        Mask the value of build-arg NAME too (repeatable; names
                       with TOKEN, PASSWORD, SECRET, KEY, … are masked anyway)
  --fail-on LEVEL      Exit 1 on a finding at or above error, warning or info
  --max-duration D     Budget: exit 1 when the build's wall time (the summed
                       step time when the log has no clock) is over D (5m, 90s)
  --max-step-duration D
                       Budget: exit 1 when any step takes longer than D
  --min-cache-ratio R  Budget: exit 1 when fewer than R (0.8 or 80%) of the
                       non-internal steps came from the cache
  --max-context SIZE   Budget: exit 1 when the build context sent is over SIZE
                       (200MB, 1.5GB: decimal units, as docker prints them)
  --baseline FILE      A JSON report to check --max-regression against
  --max-regression P   Budget: exit 1 when the build is more than P (10%)
                       slower than --baseline
  --no-history         Neither read nor keep the history (read: cached steps
                       priced with their time in an earlier build)
  --no-color           No colour
  --config PATH        Use this config file
  -h, --help           Show this help
  --                   Everything after it goes to docker

Exit codes: docker's own when the build fails; 2 when docker is missing, the
daemon is down, or the context or Dockerfile does not exist; 130/143 after
SIGINT/SIGTERM (docker is stopped and the partial report printed); else 0, or
1 for findings at or above --fail-on or a breached budget.

Examples
  buildlens build -t app --build-arg V=1 .
  buildlens build --report out.json -- -t app -f docker/Dockerfile .
  buildlens build --view plain --network=none .
`;

export const CONTEXT_HELP = `Usage
  buildlens context [DIR] [-f DOCKERFILE] [--target T] [options]

Scans the build context DIR (default: .) as BuildKit does: the ignore file
applied (<Dockerfile>.dockerignore beside the Dockerfile, else DIR/.dockerignore),
excluded directories pruned, symlinks not followed. Reports the context as the
build sees it (what the legacy builder uploads and COPY . . receives) and what
BuildKit transfers (only the COPY/ADD and bind-mount sources of the stages the
target reaches), where the bytes are, what should not be there (.git,
node_modules, build output, logs, editor files, large binaries), secrets, files
git ignores, COPY sources the ignore file excludes, and the .dockerignore lines
that fix it, each with what it saves.

Arguments
  [DIR]                 The build context directory (default: .)

Options
  -f, --file PATH       The Dockerfile (default: DIR/Dockerfile), as docker -f
  --target STAGE        The stage to build (default: the last one)
  --format FORMAT       table (default), json, markdown or sarif (docs/context.md)
  --annotations         Also print findings as GitHub workflow commands (stderr)
  --files               With --format json: list every path of the context
  --diff                Print the .dockerignore lines to add as a patch
  --fix                 Append them to the ignore file (creating it if needed);
                        your lines and exceptions are kept as they are
  --measure-excluded    Also walk and size the directories the ignore file
                        keeps out (slower: BuildKit never walks them)
  -o, --output FILE     Write the report to FILE instead of stdout
  --fail-on LEVEL       Exit 1 on a finding at or above error, warning or info
  --no-color            No colour
  -h, --help            Show this help

Exit codes: 0 fine; 1 a finding at or above --fail-on; 2 the directory,
Dockerfile or ignore file cannot be used (an ignore-file pattern docker
rejects included).

Examples
  buildlens context
  buildlens context . -f docker/app.Dockerfile --target runtime
  buildlens context --diff | git apply
  buildlens context --format json --files > context.json
`;

export const LINT_HELP = `Usage
  buildlens lint [DOCKERFILE] [--context DIR] [--report BUILD.json] [options]

Checks a Dockerfile (default: DIR/Dockerfile, else ./Dockerfile) against its
build context: what busts the cache (a COPY of the whole context before the
dependency install, changing ARGs early, ...), what bloats layers, what the
context should not hold. Each finding says what is wrong in one sentence and
shows the lines it proposes. Safe fixes apply together: --diff prints the
rewritten Dockerfile as a patch, --fix writes it. Changes that alter behaviour
are suggestions, never applied.

Arguments
  [DOCKERFILE]          The Dockerfile (default: DIR/Dockerfile with --context,
                        else ./Dockerfile)

Options
  --context DIR         The build context, read for manifests (package.json,
                        requirements.txt, ...) with its .dockerignore applied
                        (default: the Dockerfile's directory)
  --report BUILD.json   A buildlens JSON report of a build of this Dockerfile
                        (buildlens build --report, buildlens report --format
                        json): each finding gets costMs, the time of the steps
                        it invalidates in that build. Without it: the newest
                        build of this Dockerfile in the history, if any
  --no-history          Do not read the history
  --format FORMAT       table (default), json, markdown or sarif (SARIF 2.1.0
                        for code-scanning tools)
  --annotations         Also print findings as GitHub workflow commands (stderr)
  --diff                Print the rewritten Dockerfile as a unified diff
  --fix                 Write the rewritten Dockerfile; report what is left
  -o, --output FILE     Write the report (or the diff) to FILE
  --fail-on LEVEL       Exit 1 on a finding at or above LEVEL: error (the
                        default), warning, info, or none
  --no-color            No colour
  --config PATH         Use this config file (rule severities, "off",
                        ecosystems)
  -h, --help            Show this help

Pragmas: "# buildlens-ignore <rule> [reason]" above an instruction, or
"# buildlens-ignore-file <rule> [reason]" at the top of the Dockerfile.

Exit codes: 0 fine; 1 a finding at or above --fail-on; 2 the Dockerfile, the
context, the report, the config or the command line could not be used.

Examples
  buildlens lint
  buildlens lint docker/app.Dockerfile --context . --diff | git apply
  buildlens lint --report build.json --format json
  buildlens lint --format sarif -o buildlens.sarif
`;

export const COMPARE_HELP = `Usage
  buildlens compare BEFORE.json AFTER.json [options]

Compares two JSON reports of builds of the same project (written by
\`buildlens build --report FILE\` or \`buildlens report LOG --format json\`): steps
are paired by stage and instruction (not by number), and each gets its time
before and after, the change and the ratio, and its cache status before and
after; steps added and removed are listed. Totals: wall time, summed step time,
critical path, cache ratio, context size, and findings new and fixed.
Both reports must have the same schemaVersion.

Arguments
  BEFORE.json AFTER.json  The two reports (a JSON array: its last report)

Options
  --format FORMAT      table (default), markdown (for a pull request) or json
                       (docs/compare.md)
  -o, --output FILE    Write the comparison to FILE instead of stdout
  --fail-on LEVEL      Exit 1 on a finding of AFTER at or above LEVEL
  --max-duration D     Budget: exit 1 when the build's wall time (the summed
                       step time when the log has no clock) is over D (5m, 90s)
  --max-step-duration D
                       Budget: exit 1 when any step takes longer than D
  --min-cache-ratio R  Budget: exit 1 when fewer than R (0.8 or 80%) of the
                       non-internal steps came from the cache
  --max-context SIZE   Budget: exit 1 when the build context sent is over SIZE
                       (200MB, 1.5GB: decimal units, as docker prints them)
  --max-regression P   Budget: exit 1 when AFTER is more than P (10%) slower
                       than BEFORE (wall time; summed step time without a clock)
  --no-color           No colour
  --config PATH        Use this config file (budgets, failOn, format)
  -h, --help           Show this help

Budgets apply to AFTER; each breach is printed on stderr with the budget, the
figure and the limit. Exit codes: 0 fine; 1 a budget breached or a finding at or
above --fail-on; 2 a report cannot be read or is of another schemaVersion.

Examples
  buildlens compare main.json pr.json
  buildlens compare main.json pr.json --format markdown --max-regression 10%
`;

export const WHY_HELP = `Usage
  buildlens why [BEFORE.json AFTER.json] [options]
  buildlens why --baseline BEFORE.json [AFTER.json] [options]

For every step that ran in AFTER, the first cause of its re-run, following the
chain to its root: files-changed (which files under its sources, content or
mode), build-arg-changed (the ARG's name, never its value),
instruction-changed (the line, old and new text), base-image-changed (the
FROM, old and new image), parent-rebuilt (the earlier step that ran, and its
own cause), or cache-unavailable (the inputs match BEFORE yet it ran: another
builder, --no-cache, pruned or evicted cache, no cache imported on a fresh
runner). It reads the fingerprints \`buildlens build\` records in every report.

Arguments
  BEFORE.json AFTER.json  Two reports of \`buildlens build --report FILE\`.
                          Without them: the last two builds of the newest
                          context and Dockerfile in the history

Options
  --baseline FILE      BEFORE is this report (from elsewhere: a fresh CI runner
                       has no history); AFTER is the argument, else the newest
                       build in the history
  --format FORMAT      table (default), markdown (for a pull request) or json
                       (docs/why.md)
  -o, --output FILE    Write the explanation to FILE instead of stdout
  --no-color           No colour
  -h, --help           Show this help

Build-arg values are compared as salted hashes: reports from two machines
compare them only with the same BUILDLENS_SALT (else "build-arg comparison
unknown"). Exit codes: 0 explained (or nothing to explain); 2 a report cannot
be read, or the history does not hold two builds.

Examples
  buildlens build -t app . && buildlens why
  buildlens why main.json pr.json --format markdown
  buildlens why --baseline main.json
`;

export const HELP_HELP = `Usage
  buildlens help [command]

Shows the help of a command (report, build, context, lint, compare, why, help), or the general help.

Examples
  buildlens help report
`;

export function commandHelp(command: CommandName): string {
  switch (command) {
    case 'report': return REPORT_HELP;
    case 'build': return BUILD_HELP;
    case 'context': return CONTEXT_HELP;
    case 'lint': return LINT_HELP;
    case 'compare': return COMPARE_HELP;
    case 'why': return WHY_HELP;
    case 'help': return HELP_HELP;
  }
}
