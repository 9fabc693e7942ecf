import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { examples } from '../parse-options.js';
import { gdprDeleteCommand } from './gdpr-delete.js';
import { gdprExportCommand } from './gdpr-export.js';

export function gdprCommand(context: CliContext): Command {
  return new Command('gdpr')
    .description("data-protection requests: export or erase one person's personal data")
    .addCommand(gdprExportCommand(context))
    .addCommand(gdprDeleteCommand(context))
    .addHelpText(
      'after',
      examples(
        '$ audit gdpr export --user bob@example.com -o bob.json',
        '$ audit gdpr delete --user bob@example.com --dry-run',
      ),
    );
}
