import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProfileStore } from '../../src/config/profile-store.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('a config file that is a symbolic link (dotfiles kept elsewhere)', () => {
  it('is changed where it points to: the link stays a link, the file it names stays 0600, no draft is left', () => {
    const root = tempDir('config-link');
    const configDir = join(root, 'config');
    const dotfiles = join(root, 'dotfiles');
    mkdirSync(configDir);
    mkdirSync(dotfiles);
    const real = join(dotfiles, 'audit-config.json');
    writeFileSync(real, JSON.stringify({ profiles: { default: {}, staging: {} } }), { mode: 0o600 });
    symlinkSync(real, join(configDir, 'config.json'));

    openProfileStore(configDir).setActive('staging');

    expect(lstatSync(join(configDir, 'config.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, 'utf8')).activeProfile).toBe('staging');
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dotfiles)).toEqual(['audit-config.json']);
    expect(readdirSync(configDir)).toEqual(['config.json']);
  });
});
