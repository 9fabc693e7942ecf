import { type Command, Option } from 'commander';

/** The options every command accepts, before or after the command name. */
export interface GlobalFlags {
  profile?: string;
  server?: string;
  org?: string;
  output?: string;
  tz?: string;
  utc?: boolean;
  color?: boolean;
  debug?: boolean;
  insecure?: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--profile <name>', 'configuration profile (env AUDIT_PROFILE)')
    .option('--server <url>', 'audit-log server URL (env AUDIT_SERVER)')
    .option('--org <org>', 'organization (env AUDIT_ORG)')
    .addOption(
      // One flag, two meanings by command, as in the SPEC: a format for lists, a file for exports.
      new Option(
        '-o, --output <format>',
        'output format: table, json, ndjson or csv (export: the file to write)',
      ),
    )
    .option('--tz <zone>', "display time zone, an IANA name such as Europe/Paris (default: the system's)")
    .option('--utc', 'show and read times in UTC')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('--debug', 'trace HTTP requests to stderr (the token masked); the stack of an unexpected error')
    .option('--insecure', 'allow plain http to a server not on this machine (env AUDIT_INSECURE=1)');
}

export function globalFlags(command: Command): GlobalFlags {
  return command.optsWithGlobals() as GlobalFlags;
}
