import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkTokenFormat, generateToken, hashToken, tokensEqualHash } from '../../src/domain/token.js';
import { TOKEN_PATTERN, tokenPrefix } from '../../src/domain/token-text.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function reasonOf(token: string): string {
  const check = checkTokenFormat(token);
  if (check.ok) throw new Error('expected the token to be rejected');
  return check.reason;
}

describe('generateToken', () => {
  const tokens = Array.from({ length: 1_000 }, () => generateToken());

  it('makes 1,000 tokens that all match the pattern and pass the format check', () => {
    for (const token of tokens) {
      expect(token).toMatch(TOKEN_PATTERN);
      expect(token).toHaveLength(50);
      expect(checkTokenFormat(token)).toEqual({ ok: true });
    }
  });

  it('never repeats a token', () => {
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('uses the whole base62 alphabet in the random part', () => {
    const seen = new Set(tokens.flatMap((token) => [...token.slice(4, 44)]));
    expect(seen.size).toBe(62);
  });
});

describe('checkTokenFormat', () => {
  const token = generateToken();

  it('rejects every single-character typo in the random part by checksum', () => {
    for (let i = 4; i < 44; i++) {
      const original = token.charAt(i);
      const replacement = BASE62.charAt((BASE62.indexOf(original) + 1) % 62);
      const typo = token.slice(0, i) + replacement + token.slice(i + 1);
      expect(reasonOf(typo)).toMatch(/checksum.*mistyped/);
    }
  });

  it('rejects a changed checksum character', () => {
    const last = token.charAt(49) === 'a' ? 'b' : 'a';
    expect(reasonOf(token.slice(0, 49) + last)).toMatch(/checksum/);
  });

  it('rejects a wrong prefix with a reason', () => {
    expect(reasonOf(`ghp_${token.slice(4)}`)).toMatch(/starts with "adt_"/);
    expect(reasonOf(token.slice(4))).toMatch(/starts with "adt_"/);
    expect(reasonOf('')).toMatch(/starts with/);
  });

  it('rejects a wrong length with a reason', () => {
    expect(reasonOf(token.slice(0, 49))).toBe('An audit API token is 50 characters long; this one has 49.');
    expect(reasonOf(`${token}x`)).toMatch(/this one has 51/);
  });

  it('rejects characters outside base62 with a reason', () => {
    expect(reasonOf(`${token.slice(0, 10)}-${token.slice(11)}`)).toMatch(/only letters and digits/);
    expect(reasonOf(`${token.slice(0, 49)} `)).toMatch(/only letters and digits/);
  });

  it('never repeats the token in a reason', () => {
    expect(reasonOf(token.slice(0, 49))).not.toContain(token.slice(4, 20));
  });
});

describe('hashing and display', () => {
  const token = generateToken();

  it('hashes with SHA-256 as lowercase hex', () => {
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('shows only adt_ and the first 8 characters', () => {
    expect(tokenPrefix(token)).toBe(token.slice(0, 12));
    expect(tokenPrefix(token)).toHaveLength(12);
    expect(tokenPrefix(token).startsWith('adt_')).toBe(true);
  });

  it('compares a token with a stored hash', () => {
    const stored = hashToken(token);
    expect(tokensEqualHash(token, stored)).toBe(true);
    expect(tokensEqualHash(token, stored.toUpperCase())).toBe(true);
    expect(tokensEqualHash(generateToken(), stored)).toBe(false);
    expect(tokensEqualHash(token, '')).toBe(false);
    expect(tokensEqualHash(token, stored.slice(0, 62))).toBe(false);
    expect(tokensEqualHash(token, `${stored.slice(0, 63)}g`)).toBe(false);
  });
});
