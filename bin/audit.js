#!/usr/bin/env node
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered before the command tree loads: for `audit --version` that load is most of the time.
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  const { run } = await import('../dist/cli/main.js');
  const code = await run(argv);
  // Let piped output drain before exiting (stdout is asynchronous on some platforms).
  process.stdout.write('', () => process.exit(code));
}
