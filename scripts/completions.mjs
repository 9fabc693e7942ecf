#!/usr/bin/env node
// Writes completions/audit.{bash,zsh,fish} from the built command tree (run `npm run build` first).
// `--check` writes nothing and exits 1 when a committed file differs from the tree.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { COMPLETION_FILES, completionScript, SHELLS } from '../dist/cli/completion/index.js';
import { buildProgram } from '../dist/cli/program.js';

const dir = fileURLToPath(new URL('../completions/', import.meta.url));
const check = process.argv.includes('--check');
// A context with no side effects: building the tree reads nothing and installs no signal handler.
const program = buildProgram({
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  stdin: new PassThrough(),
  env: {},
  now: Date.now,
  interrupted: new Promise(() => {}),
});

await mkdir(dir, { recursive: true });
let stale = 0;
for (const shell of SHELLS) {
  const file = `${dir}${COMPLETION_FILES[shell]}`;
  const script = completionScript(shell, program);
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current === script) continue;
  if (check) {
    stale++;
    console.error(`completions/${COMPLETION_FILES[shell]} is out of date: run npm run build && npm run completions`);
  } else {
    await writeFile(file, script);
    console.log(`wrote completions/${COMPLETION_FILES[shell]}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
