// Floor for the ignored case, with the walk left to find: Node starts, runs one find that prunes
// node_modules, .git and dist (what the bench's .dockerignore excludes) and sizes the rest, and sums
// its records. No Dockerfile, no ignore file read, no matcher, no analysis, no report: the least a
// Node program pays when it does none of the walking itself.
//   node bench/floor/find-kept.mjs DIR
import { spawn } from 'node:child_process';

const root = process.argv[2];
let files = 0;
let bytes = 0;
let rest = '';
const prune = ['node_modules', '.git', 'dist'].flatMap((name, i) => [...(i > 0 ? ['-o'] : []), '-path', `${root}/${name}`]);
const find = spawn('find', [root, '(', ...prune, ')', '-prune', '-o', '-type', 'f', '-printf', '%s %P\\n']);
find.stdout.setEncoding('latin1');
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
