import { Command } from 'commander';
import { configDir } from '../../config/paths.js';
import { stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { examples } from '../parse-options.js';
import { openSession } from '../session.js';
import { reportLines } from './verify-report.js';

interface VerifyOptions {
  full?: boolean;
  saveCheckpoint?: string;
  trustNewKey?: boolean;
}

export function verifyCommand(context: CliContext): Command {
  return new Command('verify')
    .summary("prove the server's log was not changed, rolled back or forked (exit 3 if it was)")
    .description(
      "check the organization's log against its signed checkpoint: the signature with the server key this " +
        'profile pinned on first use (like ssh known_hosts), and that the log extends the last checkpoint this ' +
        'profile saw (and the last one saved with --save-checkpoint), so a rewritten or rolled-back history is ' +
        'caught. --full also re-reads every event and recomputes every leaf and the root. The pinned key and ' +
        'last checkpoint are kept per profile and organization in known-logs.json beside the profiles. ' +
        'Exit 0 valid, 3 evidence of tampering',
    )
    .option('--full', 'also re-read every event and recompute every leaf and the root (10,000 per request)')
    .option(
      '--save-checkpoint <dir>',
      'append the verified checkpoint to DIR/<host>_<port>-<org>.checkpoints and check the log against its last one',
    )
    .option(
      '--trust-new-key',
      'accept a server key other than the pinned one (after its operator rotated it) and pin it instead',
    )
    .addHelpText(
      'after',
      examples(
        '$ audit verify                                   # signature, rollback and rewrite checks',
        '$ audit verify --full                            # also every event, leaf and the root',
        '$ audit verify --save-checkpoint ~/audit-witness  # from cron: keep an outside copy',
        '$ audit verify -o json',
        '$ audit verify --trust-new-key                   # after a key rotation you confirmed',
      ),
    )
    .action(async (options: VerifyOptions, command: Command) => {
      const session = await openSession(context, command);
      const json = session.flags.output === 'json';
      if (session.flags.output !== undefined && !json) {
        throw new UsageError(`--output for verify must be json; got "${session.flags.output}"`);
      }
      if (options.saveCheckpoint === '') throw new UsageError('--save-checkpoint needs a directory');
      const connection = await session.connection();
      const client = await session.client();
      const [{ verifyOnline }, { openKnownLogs }] = await Promise.all([
        import('../../verify/online-verify.js'),
        import('../../config/known-logs.js'),
      ]);
      const report = await verifyOnline({
        client,
        knownLogs: openKnownLogs(configDir(context.env)),
        profile: connection.profile,
        org: connection.org,
        full: options.full === true,
        saveDir: options.saveCheckpoint,
        trustNewKey: options.trustNewKey === true,
        now: () => new Date(context.now()),
      }).finally(() => client.close());
      if (json) writeLine(context.stdout, stringifyJsonSafely({ server: client.server, ...report }, 2));
      else
        for (const line of reportLines(report, {
          server: client.server,
          profile: connection.profile,
          zone: session.zone,
        }))
          writeLine(context.stdout, line);
      const [first, ...rest] = report.problems;
      if (first) {
        const more = rest.length + report.problems.reduce((sum, problem) => sum + (problem.more ?? 0), 0);
        throw new CliError(`tampered: ${first.message}${more ? ` (and ${more} more)` : ''}`, EXIT.tampered);
      }
    });
}
