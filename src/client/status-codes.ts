import { createRequire } from 'node:module';

/**
 * HTTP reason phrases ("Not Found"), read through `require`: an ESM import of `node:http` makes
 * Node 24 evaluate every export of that module, its lazy `WebSocket` included, which loads
 * Node's own copy of undici at every start of the CLI and, when NO_COLOR and FORCE_COLOR are
 * both set, prints a warning on stderr.
 */
export const STATUS_CODES: Readonly<Record<number, string | undefined>> = (
  createRequire(import.meta.url)('node:http') as typeof import('node:http')
).STATUS_CODES;
