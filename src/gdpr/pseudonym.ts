import { createHmac } from 'node:crypto';
import type { Subject } from './subject.js';

/**
 * Keyed hashes of each of the subject's ids and emails, under the server's own secret: what
 * the database keeps to recognise an erased person again, without keeping who they were.
 */
export function identityHmacs(subject: Subject, secret: string): string[] {
  return [...subject.ids, ...subject.emails].map((identity) => hmac(secret, identity));
}

/**
 * `erased-user-<8 hex>` for a person erased for the first time, derived from their canonical
 * identifier with the secret, so nobody without it can go back from the pseudonym.
 */
export function newPseudonym(subject: Subject, secret: string): string {
  const canonical =
    [...subject.ids].sort()[0] ?? [...subject.emails].sort()[0] ?? [...subject.ips].sort()[0] ?? '';
  return `erased-user-${hmac(secret, `pseudonym:${canonical}`).slice(0, 8)}`;
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}
