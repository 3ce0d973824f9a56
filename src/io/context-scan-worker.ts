// The worker thread of ContextScanner.scanParallel (an entry point, so it acts when loaded): it
// takes subtrees by index from the shared counter, walks each as `scan` would, and posts each one
// packed; then `done`. It may start before the scan: what it needs comes with the work.
import { parentPort } from 'node:worker_threads';
import { Dockerignore } from '../core/dockerignore.js';
import { ContextScanner, packScan, type Pending, type ScanOptions, type WorkerSetup } from './context-scanner.js';

const port = parentPort!;

port.once('message', ({ setup, chunks, counter }: { setup: WorkerSetup; chunks: Pending[]; counter: Int32Array }) => {
  const scanner = new ContextScanner(setup.root);
  const options: ScanOptions = {
    ignore: setup.patterns ? new Dockerignore(setup.patterns) : null,
    sizeExcluded: setup.sizeExcluded,
    ...(setup.readContent ? { readContentPattern: new RegExp(setup.readContent.source, setup.readContent.flags) } : {}),
  };
  for (;;) {
    const i = Atomics.add(counter, 0, 1);
    if (i >= chunks.length) break;
    const part = scanner.scanFrom(chunks[i]!, options);
    const { message, transfer } = packScan(i, part);
    port.postMessage(message, transfer);
  }
  port.postMessage({ done: true });
  port.close();
});
