import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { validateSinceFlag } from '../dates.js';
import { examples } from '../parse-options.js';

/** `--fail-on`: the severities that can fail a run (info never does). */
export const FAIL_ON_SEVERITIES = ['high', 'medium', 'low'] as const;
export const REPORT_FORMATS = ['md', 'pdf'] as const;

export interface SecurityReportOptions {
  since?: string;
  from?: string;
  to?: string;
  failOn?: (typeof FAIL_ON_SEVERITIES)[number];
  format?: (typeof REPORT_FORMATS)[number];
  file?: string;
}

export function reportCommand(context: CliContext): Command {
  return new Command('report')
    .description('reports computed from the log on the server: the security review')
    .addCommand(securityCommand(context))
    .addHelpText(
      'after',
      examples(
        '$ audit report security --since 30d',
        '$ audit report security --format pdf --file review.pdf',
      ),
    );
}

function securityCommand(context: CliContext): Command {
  return new Command('security')
    .summary(
      'review the log for failed logins, escalations, suspicious tokens and more (exit 3 with --fail-on)',
    )
    .description(
      "review the organization's log on the server (owners and organization admins): failed sign-ins and " +
        'bursts of them, a burst followed by a successful sign-in, escalations to owner or admin, API tokens ' +
        '(and tokens created right after a suspicious sign-in), sign-ins from new IPs, activity at unusual ' +
        'hours, bursts of deletions, volume spikes, and changes to the log itself. Findings are printed most ' +
        'severe first, each with its evidence: counts, event ids and the audit logs command that shows them. ' +
        '-o json prints the review as data; --format md or pdf writes a report for an auditor. ' +
        'With --fail-on, exit 3 after the report when a finding is at or above that severity',
    )
    .option('--since <duration>', 'review this long back: 24h, 7d, 30d (default 7d)', validateSinceFlag)
    .option('--from <date>', 'start: 2024-01-31 (start of that day), an ISO time')
    .option('--to <date>', 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now')
    .addOption(
      new Option('--fail-on <severity>', 'exit 3 when a finding is at or above this severity').choices(
        FAIL_ON_SEVERITIES,
      ),
    )
    .addOption(
      new Option('--format <format>', 'a report instead of the terminal view: Markdown or PDF').choices(
        REPORT_FORMATS,
      ),
    )
    .option('--file <file>', 'write to FILE (mode 0600, replaced whole) instead of standard output')
    .addHelpText(
      'after',
      examples(
        '$ audit report security                                  # the last 7 days, most severe first',
        '$ audit report security --since 30d --fail-on high       # exit 3 on a high finding',
        '$ audit report security --from 2024-05-01 --to 2024-05-31 --format pdf --file may-review.pdf',
        '$ audit report security --format md --file review.md     # for a ticket or the auditor',
        '$ audit report security -o json | jq -r \'.findings[] | select(.severity == "high") | .summary\'',
        '# crontab: mail the weekly review every Monday at 07:00',
        '0 7 * * 1  audit report security --since 7d --format md | mail -s "audit: weekly security review" security@example.com',
      ),
    )
    .action(async (options: SecurityReportOptions, command: Command) => {
      // The review's renderers load only when it runs: audit --help and audit logs stay light.
      const { runSecurityReport } = await import('../report/run.js');
      await runSecurityReport(context, command, options);
    });
}
