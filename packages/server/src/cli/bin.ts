#!/usr/bin/env node
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// Let pending logging drain rather than exiting hard; only set the code.
process.exitCode = code;
