// Floor for the no-ignore case: find does the stats (as du does), Node only reads its records and
// sums them. No Dockerfile, no matcher, no analysis, no report.
import { spawn } from 'node:child_process';

const root = process.argv[2];
let files = 0;
let bytes = 0;
let rest = '';
const find = spawn('find', [root, '-type', 'f', '-printf', '%s %P\\n']);
find.stdout.setEncoding('utf8');
find.stdout.on('data', (chunk) => {
  const s = rest + chunk;
  let i = 0;
  let j;
  while ((j = s.indexOf('\n', i)) >= 0) {
    files++;
    bytes += Number.parseInt(s.slice(i, s.indexOf(' ', i)), 10);
    i = j + 1;
  }
  rest = s.slice(i);
});
find.on('close', () => process.stdout.write(`${JSON.stringify({ files, bytes })}\n`));
