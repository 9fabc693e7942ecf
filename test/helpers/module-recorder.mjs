// Preloaded with `node --import` by the module-budget test: writes every module the process
// loaded to the file named by MODULE_RECORDER_LOG, one URL or path a line. ES modules are
// seen by a load hook (on the hooks thread, written at once); CommonJS modules, including those
// that a package requires internally, are listed from require.cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.MODULE_RECORDER_LOG;
if (log) {
  register('./module-recorder-hooks.mjs', import.meta.url, { data: { log } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    appendFileSync(log, `${Object.keys(require.cache).join('\n')}\n`);
  });
}
