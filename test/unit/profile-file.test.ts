import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProfiles } from '../../src/config/profile-reader.js';
import { openProfileStore } from '../../src/config/profile-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'audit-profiles-'));
  dirs.push(dir);
  return dir;
}

// Names a lookup in a plain object could get wrong, and ordinary ones.
const NAMES = [
  'default',
  'staging',
  'a.b',
  'Zoë',
  '__proto__',
  'constructor',
  'toString',
  'length',
  '0',
  'missing',
];

/** What the writer (the store) and the fast reader each say about every name. */
function bothReadings(dir: string) {
  const store = openProfileStore(dir);
  const reader = readProfiles(dir);
  const reading = (source: { activeName(): string; get(name: string): unknown }) => ({
    active: source.activeName(),
    profiles: NAMES.map((name) => [name, source.get(name)]),
  });
  return { written: reading(store), read: reading(reader) };
}

describe('the profile file: the store writes it, the fast reader reads it the same', () => {
  it('reads what the store wrote, names that are object keys included, as the store reads it', () => {
    const dir = tempDir();
    const store = openProfileStore(dir);
    store.set('default', { server: 'http://127.0.0.1:7070', org: 'default', token: 'adt_x' });
    store.set('a.b', { server: 'https://audit.example.com' });
    store.set('Zoë', { org: 'zoë' });
    store.set('__proto__', { token: 'adt_proto' });
    store.setActive('Zoë');
    const { written, read } = bothReadings(dir);
    expect(read).toEqual(written);
    expect(read.active).toBe('Zoë');
    expect(Object.fromEntries(read.profiles)).toMatchObject({
      'a.b': { server: 'https://audit.example.com' },
      __proto__: { token: 'adt_proto' },
      constructor: undefined,
      toString: undefined,
      missing: undefined,
    });
  });

  it.each([
    ['no profiles', {}],
    ['profiles that are null', { profiles: null }],
    ['profiles that are a list', { profiles: [{ server: 'http://x' }] }],
    ['a profile that is text', { profiles: { default: 'http://x', staging: { org: 'o' } } }],
    [
      'fields that are not text',
      { profiles: { default: { server: 42, org: ['o'], token: null, extra: 'x' } } },
    ],
    ['an active name that is not text', { activeProfile: 7, profiles: { default: { org: 'o' } } }],
    ['an active name with no profile', { activeProfile: 'gone', profiles: {} }],
  ])('reads a file with %s the same both ways', (_case, content) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), JSON.stringify(content), { mode: 0o600 });
    const { written, read } = bothReadings(dir);
    expect(read).toEqual(written);
  });
});
