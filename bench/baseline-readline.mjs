// The naive baseline bench/parse.mjs compares buildlens with: read FILE with readline and test one
// regex per line, nothing else. It says how fast Node can merely look at every line of the file.
//   node bench/baseline-readline.mjs FILE
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/baseline-readline.mjs FILE\n');
  process.exit(2);
}
const STEP_LINE = /^#(\d+) (?:DONE|CACHED|ERROR|\[)/;
let lines = 0;
let matches = 0;
const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
for await (const line of rl) {
  lines++;
  if (STEP_LINE.test(line)) matches++;
}
process.stdout.write(JSON.stringify({ lines, matches }) + '\n');
