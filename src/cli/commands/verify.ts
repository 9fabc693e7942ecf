import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';

// The online `audit verify` (no file) is built beside this in another branch; the two meet here:
// with files, the offline check of verify-file.ts runs and nothing touches the network.
export function verifyCommand(context: CliContext): Command {
  return new Command('verify')
    .summary('prove export files unmodified and complete, offline (exit 3 if not)')
    .description(
      'check export files against the FILE.proof.json beside each (written by audit export --proof and audit backup run), ' +
        'with no network: every row recomputed to its Merkle leaf, the root to the signed checkpoint, the signature ' +
        'with --key or a key a profile pinned. Exit 0 valid, 3 evidence of tampering (a changed, removed, added or ' +
        'reordered event, a cut-off file), 2 a missing proof or no trusted key',
    )
    .argument(
      '[file...]',
      'export files to check offline, each with FILE.proof.json beside it (split parts too)',
    )
    .option(
      '--key <key>',
      'the server key to trust: the verifier key text, or a file holding it (audit server key show)',
    )
    .addHelpText(
      'after',
      examples(
        '$ audit verify audit-logs-2024-05-01.json --key "$(cat server.key)"   # on an auditor\'s laptop',
        '$ audit verify q1-*.ndjson.gz --key server.key                      # every part of a --split export',
        '$ audit verify backups/audit-logs-2024-05-01.ndjson -o json         # the key a profile pinned',
      ),
    )
    .action(async (files: string[], options: { key?: string }, command: Command) => {
      const session = await openSession(context, command);
      if (files.length === 0)
        throw new UsageError('give the export files to check, e.g. audit verify q1.csv --key server.key');
      const { verifyFiles } = await import('./verify-file.js');
      await verifyFiles(context, session, files, options);
    });
}
