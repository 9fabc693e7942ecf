import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adminDatabaseErrors } from '../../src/cli/commands/server-admin.js';
import { asUsageError } from '../../src/cli/dates.js';
import { ApiError, UsageError } from '../../src/cli/errors.js';
import { importFailure } from '../../src/cli/import-report.js';
import { DateFlagError } from '../../src/domain/date-flags.js';
import { ImportStoppedError } from '../../src/import/run.js';
import { ImportSourceError } from '../../src/import/source.js';
import { AdminDatabaseError, AdminError } from '../../src/server/admin.js';

const CLI = fileURLToPath(new URL('../../src/cli/', import.meta.url));

const thrown = async (work: () => unknown): Promise<unknown> => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
};

/** A command's one-line error keeps the error it stands for as its `cause` (--debug, wrapping, Ctrl-C). */
describe('CLI errors made from another error', () => {
  it('a date flag mistake is a UsageError whose cause is the DateFlagError, its message unchanged', async () => {
    const original = new DateFlagError('--from expects a date');
    const error = await thrown(() =>
      asUsageError(() => {
        throw original;
      }),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ message: '--from expects a date', cause: original });
  });

  it("an admin refusal and a database failure keep the admin's error as their cause", async () => {
    const refusal = new AdminError('no organization "x" in this database');
    const refused = await thrown(() => adminDatabaseErrors(() => Promise.reject(refusal)));
    expect(refused).toBeInstanceOf(UsageError);
    expect(refused).toMatchObject({ message: refusal.message, cause: refusal });
    const failure = new AdminDatabaseError('the secrets key does not open this database');
    const failed = await thrown(() => adminDatabaseErrors(() => Promise.reject(failure)));
    expect(failed).toBeInstanceOf(ApiError);
    expect(failed).toMatchObject({ message: failure.message, cause: failure });
  });

  it("an import stopped by its source keeps the source's error as its cause", () => {
    const source = new ImportSourceError('cannot read events.ndjson');
    const progress = {
      read: 0,
      sent: 0,
      created: 0,
      duplicates: 0,
      withoutId: 0,
      serverRecords: 0,
      batches: 0,
    };
    const error = importFailure(
      new ImportStoppedError(source, progress, undefined, false),
      'events.ndjson',
      false,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message.startsWith('cannot read events.ndjson; ')).toBe(true);
    expect(error.cause).toBe(source);
  });

  it("no CLI error is made from another error's message without that error as its cause", () => {
    const sourceFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    // One statement from `new UsageError(` (ApiError, AuthError) to its end, over several lines.
    const made = /new (?:UsageError|ApiError|AuthError)\((?:[^;]|;(?!\s*$))*?\)\s*(?::|;|$)/gm;
    const uncaused = sourceFiles(CLI)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(made)]
          .map((match) => match[0])
          .filter((text) => /\b(?:error|failure)\.(?:message|reason|summary)\b/.test(text))
          .filter((text) => !text.includes('cause'))
          .map((text) => `${file.slice(CLI.length)}: ${text.split('\n')[0]}`),
      );
    expect(uncaused).toEqual([]);
  });
});
