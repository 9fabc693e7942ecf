#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// NO_COLOR wins over FORCE_COLOR (as `audit help environment` says). Dropping the contradiction
// before anything loads also keeps Node 24 from printing a warning about it on stderr.
if (process.env.NO_COLOR !== undefined) delete process.env.FORCE_COLOR;

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered before the command tree loads: for `audit --version` that load is most of the time.
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  const { run } = await import('../dist/bundle/main.js');
  const code = await run(argv);
  // Let piped output drain before exiting (stdout is asynchronous on some platforms).
  process.stdout.write('', () => process.exit(code));
}
