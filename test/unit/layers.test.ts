import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers point one way: domain ← format ← client, store, config ← export, backup, import,
// gdpr, webhooks, verify, review ← server, cli. A module may import its own folder and any lower layer; `cli`
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
  verify: 3,
  review: 3,
  server: 4,
  cli: 5,
  'index.ts': 6,
};

/**
 * The API contract, `server/schemas/`, is a layer of its own under the server: TypeBox schemas
 * that import only typebox, `domain` and each other. The server registers them; the client
 * derives its answer types from them with `import type` only, which the build erases, so the
 * client loads no server code and its start-up cost does not change. A value import from the
 * client, or any import from the contract into the rest of `server`, is a violation.
 */
const CONTRACT = 'server/schemas';
const CONTRACT_MAY_IMPORT = new Set(['domain', CONTRACT]);
const TYPE_ONLY_READERS_OF_CONTRACT = new Set(['client']);

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

interface Specifier {
  specifier: string;
  /** `import type` or `export type`: erased by the build, so nothing is loaded at run time. */
  typeOnly: boolean;
}

/**
 * Comments blanked out (same length, so match positions stay): a quote in a comment inside an
 * import list would otherwise end the statement's match early and hide the import. A `//` right
 * after a letter or a colon is part of a URL in a string, not a comment.
 */
function withoutComments(text: string): string {
  const blank = (comment: string) => comment.replace(/[^\n]/g, ' ');
  return text
    .replace(/\/\*[\s\S]*?\*\//g, blank)
    .replace(
      /(^|[^\w:'"`])\/\/[^\n]*/gm,
      (match, before: string) => before + blank(match.slice(before.length)),
    );
}

/**
 * Every relative specifier a file imports: static, type-only, re-exports, dynamic `import()` and
 * `require()` (through createRequire). An `import()` of anything but a string literal cannot be
 * checked, so it is reported as the specifier `<not a literal>`, which no layer allows.
 */
function specifiersIn(source: string): Specifier[] {
  const text = withoutComments(source);
  const statement = /^(import|export)\s+(type\s+)?(?:[^'";]*?\bfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/gms;
  const dynamic = /\b(?:import|require)\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  const computed = /\bimport\s*\(\s*(?!['"])/g;
  const found = [
    ...[...text.matchAll(statement)].map((match) => ({
      at: match.index,
      specifier: match[3] as string,
      typeOnly: match[2] !== undefined,
    })),
    ...[...text.matchAll(dynamic)].map((match) => ({
      at: match.index,
      specifier: match[1] as string,
      typeOnly: false,
    })),
    ...[...text.matchAll(computed)].map((match) => ({
      at: match.index,
      specifier: NOT_A_LITERAL,
      typeOnly: false,
    })),
  ];
  return found.sort((a, b) => a.at - b.at).map(({ specifier, typeOnly }) => ({ specifier, typeOnly }));
}

const NOT_A_LITERAL = '<not a literal>';

function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  return specifiersIn(readFileSync(file, 'utf8')).map(({ specifier, typeOnly }) => ({
    target: specifier === NOT_A_LITERAL ? NOT_A_LITERAL : resolve(dirname(file), specifier),
    typeOnly,
  }));
}

/** The top folder under src/, or the contract, which is a layer of its own inside `server`. */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts.slice(0, 2).join('/') === CONTRACT ? CONTRACT : (parts[0] as string);
}

/** Why an import touching the contract breaks its rule, or null when it keeps it. */
function contractViolation(from: string, to: string, typeOnly: boolean): string | null {
  if (from === CONTRACT) return CONTRACT_MAY_IMPORT.has(to) ? null : `the contract imports ${to}`;
  if (to !== CONTRACT || from === 'server' || from === 'cli' || from === 'index.ts') return null;
  if (TYPE_ONLY_READERS_OF_CONTRACT.has(from) && typeOnly) return null;
  return TYPE_ONLY_READERS_OF_CONTRACT.has(from)
    ? `${from} may only \`import type\` from the contract`
    : `${from} may not import the contract`;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const { target, typeOnly } of importsOf(file)) {
      if (target === NOT_A_LITERAL) {
        found.push(`${relative(SRC, file)}: an import() of a computed path, which this check cannot follow`);
        continue;
      }
      const to = folderOf(target);
      if (to === from) continue;
      const where = `${relative(SRC, file)} → ${relative(SRC, target)}`;
      if (from === CONTRACT || to === CONTRACT) {
        const broken = contractViolation(from, to, typeOnly);
        if (broken) found.push(`${where}: ${broken}`);
        continue;
      }
      const [fromLayer, toLayer] = [LAYER[from], LAYER[to]];
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
      { specifier: '../cli/errors.js', typeOnly: false },
      { specifier: '../server/app.js', typeOnly: true },
      { specifier: './side-effect.js', typeOnly: false },
      { specifier: '../store/z.js', typeOnly: false },
      { specifier: '../gdpr/w.js', typeOnly: false },
    ]);
  });

  it('tells a type-only import or re-export from a value import, across lines and with inline `type`', () => {
    const text = [
      'import type {',
      '  A,',
      '  B,',
      "} from '../server/schemas/a.js';",
      "import { type C, d } from '../server/schemas/c.js';",
      "export type { E } from '../server/schemas/e.js';",
      "import typeahead from '../format/typeahead.js';",
    ].join('\n');
    expect(specifiersIn(text)).toEqual([
      { specifier: '../server/schemas/a.js', typeOnly: true },
      { specifier: '../server/schemas/c.js', typeOnly: false },
      { specifier: '../server/schemas/e.js', typeOnly: true },
      { specifier: '../format/typeahead.js', typeOnly: false },
    ]);
  });

  it('the client may read the contract for types only; the contract imports only domain', () => {
    expect(contractViolation('client', CONTRACT, true)).toBeNull();
    expect(contractViolation('client', CONTRACT, false)).toMatch(/only `import type`/);
    expect(contractViolation('store', CONTRACT, true)).toMatch(/may not import the contract/);
    expect(contractViolation('server', CONTRACT, false)).toBeNull();
    expect(contractViolation(CONTRACT, 'domain', false)).toBeNull();
    expect(contractViolation(CONTRACT, 'server', false)).toMatch(/the contract imports server/);
    expect(contractViolation(CONTRACT, 'webhooks', false)).toMatch(/the contract imports webhooks/);
    expect(folderOf(join(SRC, 'server/schemas/event.ts'))).toBe(CONTRACT);
    expect(folderOf(join(SRC, 'server/app.ts'))).toBe('server');
  });

  it('is not blinded by a quote in a comment inside an import list', () => {
    const text = [
      'import {',
      "  a, // the user's choice",
      '  /* "b" */ b,',
      "} from '../cli/errors.js';",
      "const url = 'http://example.com/x'; // a URL is not a comment",
      "import { c } from '../server/c.js';",
    ].join('\n');
    expect(specifiersIn(text)).toEqual([
      { specifier: '../cli/errors.js', typeOnly: false },
      { specifier: '../server/c.js', typeOnly: false },
    ]);
  });

  it('sees require() of a relative path, and reports an import() it cannot read as unchecked', () => {
    const text = [
      "const fromRequire = require('../cli/errors.js');",
      "const name = 'cli';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a template literal in it
      'const computed = await import(`../${name}/main.js`);',
      'const variable = await import(name);',
      "const pkg = require('undici');",
    ].join('\n');
    expect(specifiersIn(text)).toEqual([
      { specifier: '../cli/errors.js', typeOnly: false },
      { specifier: NOT_A_LITERAL, typeOnly: false },
      { specifier: NOT_A_LITERAL, typeOnly: false },
    ]);
  });
});
