/**
 * Where a token may be sent. A profile's token belongs to the server it was saved with, so a
 * `--server` or `AUDIT_SERVER` pointing elsewhere (a typo, a hostile suggestion, a test proxy)
 * cannot carry it away; and no token travels over plain http beyond this machine unless the
 * user says the network is trusted (`--insecure`, `AUDIT_INSECURE=1`).
 */
import { isIP } from 'node:net';
import { SettingsError } from './settings.js';

/** `scheme://host:port` with the default port dropped and case folded; the path is not part of it. */
export function originOf(server: string): string {
  try {
    const url = new URL(server);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // Not a URL: compared as written; the client reports it when it is used.
  }
  return server.replace(/\/+$/, '');
}

/**
 * The same origin; loopback spellings (localhost, 127.0.0.1, ::1) on one scheme and port count
 * as one server, since a token sent to any of them never leaves the machine.
 */
export function sameServer(a: string, b: string): boolean {
  if (originOf(a) === originOf(b)) return true;
  const loopback = loopbackKey(a);
  return loopback !== undefined && loopback === loopbackKey(b);
}

function loopbackKey(server: string): string | undefined {
  try {
    const url = new URL(server);
    // Only the usual spellings: another 127.x address may be another local user's listener.
    if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return undefined;
    return `${url.protocol}//loopback:${url.port}`;
  } catch {
    return undefined;
  }
}

/** localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  // The URL parser has already folded 127.1 into 127.0.0.1 and 0:0:…:1 into ::1.
  return isIP(host) === 6 && host === '::1';
}

export interface TokenRoute {
  /** The server the request goes to. */
  server: string;
  /** Where that server was named: `--server`, `AUDIT_SERVER`, the profile or the default. */
  serverSource: 'flag' | 'env' | 'profile' | 'default';
  profile: string;
  /** The server the profile's token was saved with, when the token comes from the profile. */
  boundServer: string | undefined;
  insecure: boolean;
}

/** Throws a one-line SettingsError when the token must not go to `route.server`. */
export function assertTokenMayGo(route: TokenRoute): void {
  const { server, boundServer } = route;
  if (boundServer !== undefined && !sameServer(server, boundServer)) {
    const named = route.serverSource === 'flag' ? '--server' : 'AUDIT_SERVER';
    throw new SettingsError(
      `the token of profile "${route.profile}" is bound to ${originOf(boundServer)}, not to ${originOf(server)} (${named}); ` +
        'for another server use another profile (audit login --profile NAME --server URL) or set AUDIT_TOKEN',
    );
  }
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !route.insecure) {
    throw new SettingsError(
      `refusing to send the token over plain http to ${url.hostname} (${server}); ` +
        'use https://, or pass --insecure (AUDIT_INSECURE=1) on a network you trust',
    );
  }
}

/** AUDIT_INSECURE=1 (or true): the same as --insecure. */
export function insecureFromEnv(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes)$/i.test(env.AUDIT_INSECURE ?? '');
}
