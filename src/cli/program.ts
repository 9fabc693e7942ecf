import type { Command } from 'commander';
import { backupCommand } from './commands/backup.js';
import { completionCommand } from './commands/completion.js';
import { exportCommand } from './commands/export.js';
import { gdprCommand } from './commands/gdpr.js';
import { helpCommand } from './commands/help.js';
import { importCommand } from './commands/import.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { logsCommand } from './commands/logs.js';
import { profileCommand } from './commands/profile.js';
import { reportCommand } from './commands/report.js';
import { searchCommand } from './commands/search.js';
import { serverCommand } from './commands/server.js';
import { statsCommand } from './commands/stats.js';
import { tailCommand } from './commands/tail.js';
import { verifyCommand } from './commands/verify.js';
import { webhooksCommand } from './commands/webhooks.js';
import { whoamiCommand } from './commands/whoami.js';
import type { CliContext } from './context.js';
import { inheritOutput, rootProgram } from './root.js';

/** The command tree: a plain list; each command lives in its own file under commands/. */
export function buildProgram(context: CliContext): Command {
  const program = rootProgram(context);
  program.addCommand(loginCommand(context));
  program.addCommand(logoutCommand(context));
  program.addCommand(whoamiCommand(context));
  program.addCommand(profileCommand(context));
  program.addCommand(logsCommand(context));
  program.addCommand(searchCommand(context));
  program.addCommand(tailCommand(context));
  program.addCommand(statsCommand(context));
  program.addCommand(exportCommand(context));
  program.addCommand(reportCommand(context));
  program.addCommand(importCommand(context));
  program.addCommand(backupCommand(context));
  program.addCommand(gdprCommand(context));
  program.addCommand(verifyCommand(context));
  program.addCommand(webhooksCommand(context));
  program.addCommand(serverCommand(context));
  program.addCommand(completionCommand(context));
  // Replaces commander's implicit help command: the same for commands, plus reference topics.
  program.addCommand(helpCommand(context, program));
  return inheritOutput(program);
}
