import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { buildConnector } from 'undici';
import { isLocalHostName, isPrivateAddress, PRIVATE_ADDRESS_REFUSED } from './address-policy.js';

/** A connection refused because it would reach a private address. */
export class PrivateAddressError extends Error {
  override readonly name = 'PrivateAddressError';
  readonly code = 'ERR_PRIVATE_ADDRESS';
  constructor() {
    super(PRIVATE_ADDRESS_REFUSED);
  }
}

/** Resolves a name to all its addresses, as dns.lookup with `all: true` does. */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

type LookupFunction = (
  hostname: string,
  options: { family?: number | string; all?: boolean; hints?: number },
  callback: LookupCallback,
) => void;

/**
 * A `lookup` for net.connect that refuses a name if any of its addresses is private, so the
 * address checked is the address connected to: a name that resolves to a public address when
 * first looked at and to 127.0.0.1 at send time (DNS rebinding) is refused at send time.
 */
export function guardedLookup(resolve: Resolver = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    const refuse = (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : '', 4);
    if (isLocalHostName(hostname)) return refuse(new PrivateAddressError());
    resolve(hostname, { ...(options as LookupAllOptions), all: true }, (error, addresses) => {
      if (error) return refuse(error);
      if (addresses.length === 0 || addresses.some(({ address }) => isPrivateAddress(address))) {
        return refuse(new PrivateAddressError());
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici connector that will not reach a private address: a literal IP is checked before
 * connecting, a name through guardedLookup, and the socket's remote address once more after
 * connecting, whatever path led to it. `build` is undici's buildConnector, loaded by the caller.
 */
export function guardedConnector(
  build: typeof buildConnector,
  timeoutMs: number,
  resolve?: Resolver,
): buildConnector.connector {
  const connect = build({ timeout: timeoutMs, lookup: guardedLookup(resolve) });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isPrivateAddress(host)) {
      callback(new PrivateAddressError(), null);
      return;
    }
    connect(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'), null);
      const remote = socket.remoteAddress;
      if (remote === undefined || isPrivateAddress(remote)) {
        socket.destroy();
        return callback(new PrivateAddressError(), null);
      }
      return callback(null, socket);
    });
  };
}
