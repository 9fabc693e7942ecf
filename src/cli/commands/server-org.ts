import { Argument, Command } from 'commander';
import { ENTERPRISE_MAX_RETENTION_DAYS, PLAN_RETENTION_DAYS, PLANS, type Plan } from '../../domain/plans.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { examples, integerInRange } from '../parse-options.js';
import { adminAction, databaseUrlOption, dbOption } from './server-admin.js';

/** `free 30 d, paid 90 d, fleet 365 d`. */
const FIXED_WINDOWS = Object.entries(PLAN_RETENTION_DAYS)
  .map(([plan, days]) => `${plan} ${days} d`)
  .join(', ');

export function serverOrgCommand(context: CliContext): Command {
  const setPlan = new Command('set-plan')
    .summary('set the plan, and so how long events are kept')
    .description(
      `set the plan, and so how long events are kept (${FIXED_WINDOWS}, enterprise up to ${ENTERPRISE_MAX_RETENTION_DAYS} d)`,
    )
    .addArgument(new Argument('<plan>', 'the plan').choices(PLANS))
    .option(
      '--retention-days <days>',
      `enterprise only: days to keep (1-${ENTERPRISE_MAX_RETENTION_DAYS}, default ${ENTERPRISE_MAX_RETENTION_DAYS})`,
      integerInRange('--retention-days', 1, ENTERPRISE_MAX_RETENTION_DAYS),
    )
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addHelpText(
      'after',
      examples(
        '$ audit server org set-plan fleet                          # keep a year (PCI DSS 10.5.1)',
        '$ audit server org set-plan enterprise --retention-days 540',
      ),
    )
    .action(async (plan: Plan, options: { retentionDays?: number }, command: Command) => {
      const org = await adminAction(context, command, (admin, slug) =>
        admin.setPlan(slug, plan, options.retentionDays),
      );
      const kept = org.retentionDays === null ? 'kept forever' : `kept ${org.retentionDays} days`;
      writeLine(context.stderr, `Organization ${org.slug} is on the ${org.plan} plan: events are ${kept}.`);
      if (org.retentionDays !== null && org.retentionDays < 365) {
        writeLine(
          context.stderr,
          'Note: PCI DSS 10.5.1 asks for 12 months of audit history; export regularly.',
        );
      }
    });

  const setAccessLogging = new Command('set-access-logging')
    .summary('record every API request as access.api_call, or stop (off by default)')
    .description('detailed access tracking: record every API request as access.api_call (off by default)')
    .addArgument(new Argument('<state>', 'on or off').choices(['on', 'off']))
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addHelpText(
      'after',
      examples('$ audit server org set-access-logging on', '$ audit logs --detailed --category access'),
    )
    .action(async (state: 'on' | 'off', _options: unknown, command: Command) => {
      const org = await adminAction(context, command, (admin, slug) =>
        admin.setAccessLogging(slug, state === 'on'),
      );
      writeLine(
        context.stderr,
        `Detailed access tracking is ${org.accessLogging ? 'on' : 'off'} for ${org.slug}.`,
      );
    });

  return new Command('org')
    .description('organization settings of the bundled server')
    .addCommand(setPlan)
    .addCommand(setAccessLogging)
    .addHelpText(
      'after',
      examples(
        '$ audit server org set-plan fleet              # keep a year of history',
        '$ audit server org set-access-logging on       # then: audit logs --detailed --category access',
      ),
    );
}
