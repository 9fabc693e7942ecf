#!/usr/bin/env node
import { run } from '../dist/cli/main.js';

const code = await run(process.argv.slice(2));
// Let piped output drain before exiting (stdout is asynchronous on some platforms).
process.stdout.write('', () => process.exit(code));
