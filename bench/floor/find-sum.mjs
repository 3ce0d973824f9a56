// Floor for the no-ignore case: find does the stats (as du does), Node only reads its records and
// sums them. No Dockerfile, no matcher, no analysis, no report.
//   node bench/floor/find-sum.mjs DIR [finds=1]
//   node bench/floor/find-sum.mjs DIR pruned
// With finds > 1 the tree is split as buildlens splits it: one find for the top two levels, the
// others sharing the directories two levels down. `pruned` is the floor for the ignored case with
// the walk left to find: one find that prunes node_modules, .git and dist (what the bench's
// .dockerignore excludes), no ignore file read: what a Node program pays when it walks nothing itself.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = process.argv[2];
const pruned = process.argv[3] === 'pruned';
const finds = pruned ? 1 : Number(process.argv[3] ?? 1);
let files = 0;
let bytes = 0;
let running = 0;

function run(args) {
  running++;
  let rest = '';
  const find = spawn('find', args);
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
  find.on('close', () => {
    if (--running === 0) process.stdout.write(`${JSON.stringify({ files, bytes })}\n`);
  });
}

const printf = ['-type', 'f', '-printf', '%s %P\\n'];
if (pruned) {
  const prune = ['node_modules', '.git', 'dist'].flatMap((name, i) => [...(i > 0 ? ['-o'] : []), '-path', `${root}/${name}`]);
  run([root, '(', ...prune, ')', '-prune', '-o', ...printf]);
} else if (finds <= 1) run([root, ...printf]);
else {
  const units = [];
  for (const a of readdirSync(root, { withFileTypes: true })) {
    if (!a.isDirectory()) continue;
    for (const b of readdirSync(`${root}/${a.name}`, { withFileTypes: true })) if (b.isDirectory()) units.push(`${root}/${a.name}/${b.name}`);
  }
  const shares = Array.from({ length: finds }, () => []);
  units.forEach((u, i) => shares[i % finds].push(u));
  run([root, '-maxdepth', '2', ...printf]);
  for (const share of shares) if (share.length > 0) run([...share, ...printf]);
}
