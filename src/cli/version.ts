import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../domain/package-root.js';

/** The package version, read once from package.json beside dist/. */
export function packageVersion(): string {
  const text = readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
