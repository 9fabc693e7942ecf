import { chownSync, linkSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type OutputFileOptions, openOutputFile } from '../../src/export/atomic-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const VICTIM_TEXT = 'precious data that is not an export\n';

function setup() {
  const root = tempDir('atomic');
  mkdirSync(join(root, 'elsewhere'));
  const victim = join(root, 'elsewhere', 'victim.txt');
  writeFileSync(victim, VICTIM_TEXT, { mode: 0o644 });
  return { file: join(root, 'out.ndjson'), victim };
}

function expectUntouched(victim: string) {
  expect(readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT);
  expect(lstatSync(victim).mode & 0o777).toBe(0o644);
}

async function writeAll(path: string, text: string, options: OutputFileOptions = {}) {
  const file = await openOutputFile(path, options);
  file.stream.write(text);
  await file.commit();
  return file;
}

describe('openOutputFile and what it finds at NAME.partial', () => {
  it('a resume does not append through a link planted at NAME.partial', async () => {
    const { file, victim } = setup();
    symlinkSync(victim, `${file}.partial`);
    await expect(openOutputFile(file, { append: true })).rejects.toThrow(
      /^refusing to write .*out\.ndjson\.partial: it is a symbolic link; remove it and run again$/,
    );
    expectUntouched(victim);
  });

  it('a resume does not append to a partial hard-linked to another file', async () => {
    const { file, victim } = setup();
    linkSync(victim, `${file}.partial`);
    await expect(openOutputFile(file, { append: true })).rejects.toThrow(
      /^refusing to write .*out\.ndjson\.partial: it has other hard links; remove it and run again$/,
    );
    expectUntouched(victim);
  });

  it('a fresh export does not truncate a partial hard-linked to another file', async () => {
    const { file, victim } = setup();
    linkSync(victim, `${file}.partial`);
    await writeAll(file, '{"n":1}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
    expectUntouched(victim);
  });

  it.runIf(process.getuid?.() === 0)(
    'a resume does not append to a partial that belongs to another user',
    async () => {
      const { file } = setup();
      writeFileSync(`${file}.partial`, '{"n":0}\n', { mode: 0o644 });
      chownSync(`${file}.partial`, 4321, 4321);
      await expect(openOutputFile(file, { append: true })).rejects.toThrow(
        /^refusing to write .*out\.ndjson\.partial: it belongs to another user; remove it and run again$/,
      );
      expect(lstatSync(`${file}.partial`).mode & 0o777).toBe(0o644);
    },
  );

  it('a resume continues our own partial and the result is 0600', async () => {
    const { file } = setup();
    writeFileSync(`${file}.partial`, '{"n":0}\n', { mode: 0o600 });
    const opened = await writeAll(file, '{"n":1}\n', { append: true });
    expect(opened.appended).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('{"n":0}\n{"n":1}\n');
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
  });

  it('a resume without a partial starts the file', async () => {
    const { file } = setup();
    const opened = await writeAll(file, '{"n":1}\n', { append: true });
    expect(opened.appended).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
  });

  it('a stale partial of ours, left by a crash, is started over', async () => {
    const { file } = setup();
    writeFileSync(`${file}.partial`, 'half a line from a crash', { mode: 0o644 });
    await writeAll(file, '{"n":1}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a partial that is a directory, with one line', async () => {
    const { file } = setup();
    mkdirSync(`${file}.partial`);
    await expect(openOutputFile(file)).rejects.toThrow(
      /^refusing to write .*out\.ndjson\.partial: it is not a regular file; remove it and run again$/,
    );
  });

  it('refuses a link at a destination the user did not name, and replaces one the user named', async () => {
    const { file, victim } = setup();
    symlinkSync(victim, file);
    await expect(openOutputFile(file)).rejects.toThrow(
      /^refusing to replace .*out\.ndjson: it is a symbolic link; remove it and run again$/,
    );
    await writeAll(file, '{"n":1}\n', { namedByUser: true });
    expect(lstatSync(file).isFile()).toBe(true);
    expectUntouched(victim);
  });
});
