// Floor for the ignored case: the least a Node program must do — walk what the .dockerignore keeps
// (everything but node_modules, .git and dist at the top) and size each file. No Dockerfile, no
// matcher, no analysis, no report: what any Node implementation pays at the least.
import { lstatSync, readdirSync } from 'node:fs';

const root = process.argv[2];
const skip = new Set(['node_modules', '.git', 'dist']);
let files = 0;
let bytes = 0;
function walk(dir, top) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (top && skip.has(e.name)) continue;
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) walk(path, false);
    else {
      files++;
      bytes += lstatSync(path).size;
    }
  }
}
walk(root, true);
process.stdout.write(`${JSON.stringify({ files, bytes })}\n`);
