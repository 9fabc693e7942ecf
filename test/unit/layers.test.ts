import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers point one way: domain ← format ← client, store, config ← export, backup, import,
// gdpr, webhooks ← server, cli. A module may import its own folder and any lower layer; `cli`
// may start the server; the package entry (src/index.ts) re-exports from below.
const LAYER: Record<string, number> = {
  domain: 0,
  format: 1,
  client: 2,
  store: 2,
  config: 2,
  export: 3,
  backup: 3,
  import: 3,
  gdpr: 3,
  webhooks: 3,
  server: 4,
  cli: 5,
  'index.ts': 6,
};

/** Edges between folders of one layer that are part of the design, with the reason. */
const SIBLING_EDGES: Record<string, string> = {
  // A backup is an export of one day's range: it runs the exporter.
  'backup→export': 'a backup is a daily export',
};

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative specifier a file imports: static, type-only, re-exports and dynamic `import()`. */
function specifiersIn(text: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  return [...text.matchAll(pattern)].map((match) => match[1] as string);
}

function importsOf(file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8')).map((specifier) => resolve(dirname(file), specifier));
}

function folderOf(path: string): string {
  return relative(SRC, path).split('/')[0] as string;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (to === from) continue;
      const [fromLayer, toLayer] = [LAYER[from], LAYER[to]];
      const where = `${relative(SRC, file)} → ${relative(SRC, target)}`;
      if (fromLayer === undefined || toLayer === undefined) found.push(`${where}: folder without a layer`);
      else if (toLayer > fromLayer) found.push(`${where}: imports upward (${from} → ${to})`);
      else if (toLayer === fromLayer && !SIBLING_EDGES[`${from}→${to}`])
        found.push(`${where}: imports a sibling layer (${from} → ${to})`);
    }
  }
  return found;
}

describe('the layers of src/', () => {
  it('no module imports a layer above its own, nor a sibling outside the listed edges', () => {
    expect(violations()).toEqual([]);
  });

  it('every folder of src/ has a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).map((entry) => entry.name);
    expect(folders.filter((name) => LAYER[name] === undefined)).toEqual([]);
  });

  it('the scan sees static, type-only, side-effect and dynamic imports and re-exports', () => {
    const text = [
      "import { x } from '../cli/errors.js';",
      "import type { Y } from '../server/app.js';",
      "import './side-effect.js';",
      "export { z } from '../store/z.js';",
      "const w = await import('../gdpr/w.js');",
      "import { a } from 'node:fs';",
    ].join('\n');
    expect(specifiersIn(text)).toEqual([
      '../cli/errors.js',
      '../server/app.js',
      './side-effect.js',
      '../store/z.js',
      '../gdpr/w.js',
    ]);
  });
});
