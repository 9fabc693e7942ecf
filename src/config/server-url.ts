/**
 * The server setting checked where it is read, so a mistake is named with its source (`--server`,
 * AUDIT_SERVER, a profile) instead of failing later inside the HTTP client: a missing scheme,
 * another scheme, credentials in the URL, or a path, query or fragment the API cannot live under.
 */
import { SettingsError } from './settings.js';

const EXAMPLE = 'http://localhost:7787';

/** Throws a one-line SettingsError naming `source` when `server` cannot work as the server's URL. */
export function checkServerUrl(server: string, source: string): void {
  const problem = serverUrlProblem(server);
  if (problem) throw new SettingsError(`${source}: ${problem}`);
}

/** What is wrong with `server` as the server's URL, in a sentence fragment; undefined when nothing. */
export function serverUrlProblem(server: string): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return `expected a URL like ${EXAMPLE}; got "${withoutPassword(server)}"`;
  }
  // `localhost:7787` parses, as scheme `localhost:`: a host and port with the scheme left out.
  if (!server.includes('//')) return `expected a URL like ${EXAMPLE}; got "${withoutPassword(server)}"`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `only http:// and https:// servers are supported; got "${url.protocol}//…"`;
  }
  if (url.username || url.password) {
    // The credentials themselves are never repeated: the message may end up in a log.
    url.username = '';
    url.password = '';
    return (
      `the URL carries a user name or password (${url.origin}); a token must not travel in a URL: ` +
      'remove "user:password@" and sign in with audit login or AUDIT_TOKEN'
    );
  }
  if (url.search || url.hash) {
    return `a query or fragment cannot be part of the server's URL; use ${url.origin}${trimmed(url.pathname)}`;
  }
  // The client adds /api/v1/…: a URL that already names the API would ask for /api/v1/api/v1/….
  if (/\/api(\/v\d+)?\/?$/.test(url.pathname) || /\/api\/v\d+\//.test(url.pathname)) {
    const prefix = url.pathname.replace(/\/api(\/v\d+)?(\/.*)?$/, '');
    return `give the server's address without the API path; use ${url.origin}${trimmed(prefix)}`;
  }
  return undefined;
}

function trimmed(path: string): string {
  return path.replace(/\/+$/, '');
}

/**
 * `server` as typed, what stands before an `@` (a user name and password, in any form a URL may
 * take) replaced by `…`: the message may end up in a log.
 */
function withoutPassword(server: string): string {
  return server.replace(/^([a-z][a-z0-9+.-]*:\/*)?[^/@]*@/i, (_userinfo, scheme = '') => `${scheme}…@`);
}
