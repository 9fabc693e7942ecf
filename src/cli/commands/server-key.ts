import { existsSync } from 'node:fs';
import { Command } from 'commander';
import type { NoteSigner } from '../../domain/signed-note.js';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { globalFlags } from '../globals.js';
import { examples } from '../parse-options.js';
import {
  adminDatabaseErrors,
  type DatabaseFlags,
  databaseLocation,
  databaseUrlOption,
  dbOption,
  secretsKeyFile,
  secretsKeyFileOption,
  sqliteHasNoSecretsKeyFile,
} from './server-admin.js';

/** `audit server key show`: the checkpoint signing key's public half, for verifiers to pin. */
export function serverKeyCommand(context: CliContext): Command {
  const show = new Command('show')
    .summary("print the server's checkpoint verifier key and its SHA256 fingerprint")
    .description(
      "print the public key that verifies the server's signed checkpoints (a C2SP signed-note verifier key) " +
        'on its first line, then its SHA256 fingerprint, read from the key file beside the database; made now if there ' +
        'is none yet, as the first start would. Give it to auditors out of band: audit verify --key checks against it',
    )
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addOption(secretsKeyFileOption())
    .addHelpText(
      'after',
      examples(
        '$ audit server key show',
        '$ audit server key show --db /var/lib/audit/audit.db -o json',
        "$ audit server key show > server.key      # then, on an auditor's laptop: audit verify FILE --key server.key",
        '$ AUDIT_DATABASE_URL=postgres://audit@db:5432/audit audit server key show',
      ),
    )
    .action(async (options: DatabaseFlags & { secretsKeyFile?: string }, command: Command) => {
      // Loaded by this command alone: the other server commands do not read the key.
      const [keyFiles, { verifierKeyFingerprint }] = await Promise.all([
        import('../../store/log-key-file.js'),
        import('../../domain/key-fingerprint.js'),
      ]);
      const location = await databaseLocation(context, options);
      let signer: NoteSigner;
      let created: boolean;
      let file: string;
      let keyFileMade = false;
      if (location.kind === 'postgres') {
        // Sealed in the database under the secrets key file all instances share.
        file = secretsKeyFile(context, options.secretsKeyFile);
        const hadKeyFile = existsSync(file);
        const { sharedLogKey } = await import('../../server/admin.js');
        ({ signer, created } = await adminDatabaseErrors(() => sharedLogKey(location.url, file)));
        keyFileMade = !hadKeyFile && existsSync(file);
      } else {
        if (options.secretsKeyFile !== undefined) throw sqliteHasNoSecretsKeyFile();
        file = keyFiles.logKeyFileFor(location.file);
        ({ signer, created } = keyBeside(keyFiles, location.file, file));
      }
      const shown = {
        name: signer.name,
        verifier_key: signer.verifierKey,
        fingerprint: verifierKeyFingerprint(signer.verifierKey),
        file,
        created,
      };
      if (created && location.kind === 'postgres') {
        writeLine(
          context.stderr,
          'No signing key yet: made one in the database, sealed under the secrets key file, as the first server start would.',
        );
      }
      // The only copy of the key that opens the database's secrets may now be on this machine.
      if (keyFileMade) {
        writeLine(
          context.stderr,
          `Made the secrets key file ${sanitizeForDisplay(file)} (mode 0600): give every server instance a copy (AUDIT_SECRETS_KEY_FILE) and back it up; the database's keys cannot be opened without it.`,
        );
      } else if (created) {
        writeLine(
          context.stderr,
          `No signing key yet: made one in ${sanitizeForDisplay(file)} (mode 0600), as the server's first start would. Back it up with the database.`,
        );
      }
      if (globalFlags(command).output === 'json') {
        writeLine(context.stdout, stringifyJsonSafely(shown, 2));
        return;
      }
      // The key alone on the first line: `audit server key show > server.key` is a file that
      // `audit verify --key server.key` reads.
      writeLine(context.stdout, sanitizeForDisplay(shown.verifier_key));
      writeLine(context.stdout, `Fingerprint: ${shown.fingerprint}`);
      writeLine(
        context.stdout,
        location.kind === 'postgres'
          ? `Sealed in:   the database, under ${sanitizeForDisplay(file)}`
          : `Key file:    ${sanitizeForDisplay(file)}`,
      );
    });

  return new Command('key')
    .description("the server's checkpoint signing key (Ed25519, beside the database)")
    .addCommand(show)
    .addHelpText('after', examples('$ audit server key show', '$ audit server key show -o json'));
}

/** The key in `file`, or one made now; refused when there is no database to go with it. */
function keyBeside(keyFiles: typeof import('../../store/log-key-file.js'), dbFile: string, file: string) {
  const { LogKeyError, openLogKey, readLogKeyFile } = keyFiles;
  try {
    const existing = readLogKeyFile(file);
    if (existing) return { signer: existing, created: false };
    // A key made beside a mistyped path would be pinned by nobody's server.
    if (!existsSync(dbFile)) {
      throw new UsageError(
        `no database at ${sanitizeForDisplay(dbFile)}: give --db, or start the server once (audit server start)`,
      );
    }
    return { signer: openLogKey(dbFile), created: true };
  } catch (error) {
    if (error instanceof LogKeyError) throw new ApiError(error.message, undefined, { cause: error });
    throw error;
  }
}
