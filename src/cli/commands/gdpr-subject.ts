import type { Command } from 'commander';
import type { GdprCandidates, GdprIdentities, GdprSubjectOptions } from '../../client/types.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';

/** The person a GDPR command is about, as its options give them. */
export interface SubjectFlags {
  user: string;
  also: string[];
  alsoName: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** --user, and the repeatable --also / --also-name that confirm more of the person's identifiers. */
export function withSubjectOptions(command: Command): Command {
  return command
    .requiredOption('--user <email-or-id>', 'the person, by email or id')
    .option(
      '--also <id-email-or-ip>',
      "another email, id or IP address you confirm is this person's (repeatable); the dry run lists candidates",
      collect,
      [],
    )
    .option('--also-name <name>', "a name you confirm is this person's (repeatable)", collect, []);
}

export function subjectOptions(flags: SubjectFlags): GdprSubjectOptions {
  return { identifiers: flags.also, names: flags.alsoName };
}

/**
 * What a dry run covers and what it found but leaves alone, one line each. Candidates were
 * written by event senders: shown for the operator to judge, sanitized for the terminal.
 */
export function describeSubject(
  identities: GdprIdentities | undefined,
  candidates: GdprCandidates | undefined,
) {
  const lines: string[] = [];
  const list = (values: readonly string[]) => values.map((value) => sanitizeForDisplay(value)).join(', ');
  if (identities) {
    const covered = [
      ['ids', identities.ids],
      ['emails', identities.emails],
      ['names', identities.names],
      ['IP addresses', identities.ip_addresses],
      ['user agents', identities.user_agents],
      ['accounts', identities.accounts],
    ] as const;
    for (const [label, values] of covered)
      if (values.length > 0) lines.push(`  erases ${label}: ${list(values)}`);
  }
  if (candidates) {
    const found = [
      ['--also', [...candidates.ids, ...candidates.emails]],
      ['--also-name', candidates.names],
    ] as const;
    for (const [flag, values] of found) {
      if (values.length > 0)
        lines.push(`  events pair them with, not erased unless you add ${flag}: ${list(values)}`);
    }
  }
  return lines;
}
