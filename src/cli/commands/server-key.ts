import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { globalFlags } from '../globals.js';
import { examples } from '../parse-options.js';
import { databaseFile, dbOption } from './server-admin.js';

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
    .addHelpText(
      'after',
      examples(
        '$ audit server key show',
        '$ audit server key show --db /var/lib/audit/audit.db -o json',
        "$ audit server key show > server.key      # then, on an auditor's laptop: audit verify FILE --key server.key",
      ),
    )
    .action(async (options: { db?: string }, command: Command) => {
      // Loaded by this command alone: the other server commands do not read the key.
      const [keyFiles, { verifierKeyFingerprint }] = await Promise.all([
        import('../../store/log-key-file.js'),
        import('../../domain/key-fingerprint.js'),
      ]);
      const dbFile = databaseFile(context, options.db);
      const file = keyFiles.logKeyFileFor(dbFile);
      const { signer, created } = keyBeside(keyFiles, dbFile, file);
      const shown = {
        name: signer.name,
        verifier_key: signer.verifierKey,
        fingerprint: verifierKeyFingerprint(signer.verifierKey),
        file,
        created,
      };
      if (created) {
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
      writeLine(context.stdout, `Key file:    ${sanitizeForDisplay(file)}`);
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
    if (error instanceof LogKeyError) throw new ApiError(error.message);
    throw error;
  }
}
