#!/usr/bin/env node
// Tiny shim: the CLI is compiled to dist/; src/cli/main.ts owns argument parsing and the exit code.
import { main } from '../dist/src/cli/main.js';
await main();
