// The command's code as a few files instead of ~1,300 modules: `npm run build` runs this after
// `tsc`, bundling the compiled dist/ and its dependencies into dist/bundle/, which bin/audit.js
// loads. Node spends most of a server's start resolving, reading and compiling modules one by
// one (TypeBox alone is ~680 files); the bundle starts `audit server start` in ~1 s of CPU
// instead of ~1.8. Every lazy `import()` stays a split point, so a command still loads only the
// code it reaches. dist/bundle/meta.json lists the modules in each of its files (the
// module-budget test reads it). dist/ without the bundle stays the package's library entry.
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/bundle';

// Chunks are named by content hash: without this, the files of earlier builds would stay beside
// the new ones and go into the package.
rmSync(OUT, { recursive: true, force: true });

const result = await build({
  entryPoints: {
    main: 'dist/cli/main.js',
    // Worker threads start from a file next to the module that spawns them (`./name.js`).
    'seal-worker': 'dist/server/seal-worker.js',
    'ndjson-worker': 'dist/export/proof/ndjson-worker.js',
  },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Loaded from node_modules as they are: a native addon (better-sqlite3), packages that read
  // files of their own at run time (pdfkit's fonts, jq-wasm's WebAssembly), and PostgreSQL's
  // driver, which only a server on PostgreSQL loads.
  external: ['better-sqlite3', 'pdfkit', 'jq-wasm', 'pg', 'pg-cursor'],
  // The CommonJS inside (fastify, ajv, pino…) calls require() for Node's own modules.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  chunkNames: 'chunk-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const modulesOf = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([file, output]) => [file, Object.keys(output.inputs)]),
);
writeFileSync(`${OUT}/meta.json`, JSON.stringify(modulesOf));
