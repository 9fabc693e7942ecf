import { isIP } from 'node:net';

// Characters that render as nothing (zero-width spaces and joiners, soft hyphens, BOMs, ...).
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const EDGE_SPACE = /^[\s\p{Z}]+|[\s\p{Z}]+$/gu;
const INNER_SPACE = /[\s\p{Z}]+/gu;

/**
 * Text as it is compared with the subject's identifiers: NFKC (full-width and other
 * compatibility forms become their plain letters) without invisible characters.
 */
export function canonicalText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

/** An identifier as typed or stored: canonical text, trimmed, inner runs of spaces made one space. */
export function normalizeIdentifier(text: string): string {
  return canonicalText(text).replace(EDGE_SPACE, '').replace(INNER_SPACE, ' ');
}

/** Emails (and IPv6 addresses) compare case-insensitively. */
export function foldCase(text: string): string {
  return normalizeIdentifier(text).toLowerCase();
}

export type IdentifierKind = 'email' | 'ip' | 'id';

/** What a normalized identifier given by a requester is: an email, an IP address, or an id. */
export function kindOf(identifier: string): IdentifierKind {
  if (identifier.includes('@')) return 'email';
  return isIP(identifier) ? 'ip' : 'id';
}
