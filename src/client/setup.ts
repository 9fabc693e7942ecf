import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../domain/package-root.js';

/** The server option as a base URL; a clear error for anything but http(s). */
export function parseServer(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`server must be a URL like http://127.0.0.1:7787; got "${server}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`server must be an http:// or https:// URL; got "${server}"`);
  }
  url.search = '';
  url.hash = '';
  return url;
}

export function lowerCaseKeys(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

let userAgent: string | undefined;
/** `audit-cli/<version> node/<version>`, read once. */
export function defaultUserAgent(): string {
  if (userAgent) return userAgent;
  let version = '0.0.0';
  try {
    const text = readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8');
    version = (JSON.parse(text) as { version: string }).version;
  } catch {
    // Bundled elsewhere: the version is a nicety in server logs, not a requirement.
  }
  userAgent = `audit-cli/${version} node/${process.versions.node}`;
  return userAgent;
}
