import type { ProofFilters } from './export-proof.js';

/**
 * The shape checks of a proof file's fields: each value read is what the format says, or a
 * ProofFormatError naming it.
 */

/** A proof file that is not what the format says: names what is wrong. */
export class ProofFormatError extends Error {
  override readonly name = 'ProofFormatError';
}

export function filtersOf(value: unknown): ProofFilters {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const filters: ProofFilters = {};
  for (const [name, member] of Object.entries(value)) {
    if (typeof member === 'string') filters[name] = member;
    else if (Array.isArray(member) && member.every((item) => typeof item === 'string'))
      filters[name] = member;
    else throw new ProofFormatError(`filters.${name} is neither text nor a list of text`);
  }
  return filters;
}

// A million entries are read per check: their base64 is matched by shape and decoded in place.
export const SALT_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
export const HINT_BASE64 = /^[A-Za-z0-9+/]{16}$/;

export function writeBase64(value: unknown, shape: RegExp, into: Buffer, at: number, name: string): void {
  if (typeof value !== 'string' || !shape.test(value))
    throw new ProofFormatError(`${name} is not base64 of its length`);
  into.write(value, at, 'base64');
}

export function arrayOf(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new ProofFormatError(`"${name}" is not a list`);
  return value;
}

export function tuple(value: unknown, length: number, name: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length)
    throw new ProofFormatError(`${name} is not a list of ${length}`);
  return value;
}

export function textOf(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new ProofFormatError(`${name} is not text`);
  return value;
}

export function bytes(value: unknown, length: number, name: string): Buffer {
  const decoded = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
  if (decoded?.length !== length || decoded.toString('base64') !== value)
    throw new ProofFormatError(`${name} is not ${length} bytes of base64`);
  return decoded;
}

export function isPosition(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
