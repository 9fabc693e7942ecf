import { type Category, isCategory } from '../domain/categories.js';
import { type ActionPattern, MAX_URL_LENGTH } from '../domain/webhook-rules.js';
import { isPrivateHost } from './address-policy.js';

export const MAX_PATTERNS = 50;

export type { ActionPattern };

/** Input the caller got wrong; the route turns it into a 400 naming `field`. */
export class SubscriptionError extends Error {
  override readonly name = 'SubscriptionError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const EXACT_ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const ACTION_PREFIX = /^[a-z][a-z0-9_.]*$/;

/** A comma list or an array of comma lists, trimmed, empty items dropped, duplicates removed. */
export function splitList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = (typeof value === 'string' ? [value] : value).flatMap((item) => item.split(','));
  return [...new Set(items.map((item) => item.trim()).filter(Boolean))];
}

export function parseActionPatterns(value: string | readonly string[] | undefined): ActionPattern[] {
  const items = splitList(value);
  if (items.length === 0) {
    throw new SubscriptionError(
      'actions',
      'name at least one action or pattern, e.g. user.login_failed or security.*',
    );
  }
  if (items.length > MAX_PATTERNS) throw new SubscriptionError('actions', `at most ${MAX_PATTERNS} patterns`);
  return items.map((item) => {
    if (item.length > 128) throw new SubscriptionError('actions', `"${item.slice(0, 40)}…" is too long`);
    if (item === '*') return { pattern: '', isPrefix: true };
    if (item.endsWith('*') && ACTION_PREFIX.test(item.slice(0, -1))) {
      return { pattern: item.slice(0, -1), isPrefix: true };
    }
    if (EXACT_ACTION.test(item)) return { pattern: item, isPrefix: false };
    throw new SubscriptionError(
      'actions',
      `"${item}" is not an action (resource.verb) or a prefix pattern such as security.*`,
    );
  });
}

/** The patterns as a caller wrote them, for answers and audit records. */
export function formatPatterns(patterns: readonly ActionPattern[]): string[] {
  return patterns.map(({ pattern, isPrefix }) => (isPrefix ? `${pattern}*` : pattern));
}

export function parseCategories(
  value: string | readonly string[] | undefined,
  field = 'categories',
): Category[] {
  const items = splitList(value);
  const unknown = items.find((item) => !isCategory(item));
  if (unknown !== undefined) throw new SubscriptionError(field, `unknown category "${unknown}"`);
  return items as Category[];
}

/**
 * http(s) only, no credentials in the authority (they would be shown and logged as part of it),
 * and, unless private addresses are allowed, not a host that is private before any DNS lookup
 * (an IP literal or localhost); names are checked again at every connection.
 */
export function parseWebhookUrl(value: string, options: { allowPrivate?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SubscriptionError('url', 'expected an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SubscriptionError('url', `only http and https are supported, not ${url.protocol.slice(0, -1)}`);
  }
  if (url.username || url.password) {
    throw new SubscriptionError('url', 'must not contain a user name or password');
  }
  if (value.length > MAX_URL_LENGTH)
    throw new SubscriptionError('url', `at most ${MAX_URL_LENGTH} characters`);
  if (!options.allowPrivate && isPrivateHost(url.hostname)) {
    throw new SubscriptionError(
      'url',
      `${url.hostname} is a loopback, private or link-local address; the server refuses it unless started with --webhook-allow-private`,
    );
  }
  return url;
}

/**
 * The URL as answers show it after creation. Chat incoming-webhook URLs carry their credential in
 * the path or query (Slack, Discord, Teams), so the origin and, when more follows, the first path
 * segment are all that is shown.
 */
export function maskUrl(value: string): string {
  const url = new URL(value);
  const [first, ...rest] = url.pathname.split('/').filter(Boolean);
  if (first === undefined && !url.search) return `${url.origin}/`;
  return rest.length > 0 ? `${url.origin}/${first}/…` : `${url.origin}/…`;
}

/** What may be written down about where a webhook points: scheme and host, never path or query. */
export function urlOrigin(value: string): string {
  return new URL(value).origin;
}
