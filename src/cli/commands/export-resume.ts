/**
 * The command that resumes an interrupted export, rebuilt from what this run parsed and
 * resolved (not from the words typed): the connection flags given, the zone used, the filters, the
 * range, format and file pinned to this run's (`--from 24h` must not move on resume), the cursor.
 */
import type { ExportPlan } from '../../export/plan.js';
import { shellCommand, shellQuoteForDisplay } from '../../format/shell-quote.js';
import type { GlobalFlags } from '../globals.js';

export interface ResumeContext {
  globals: GlobalFlags;
  /** The display zone this run used: split periods and default names depend on it. */
  zone: string;
}

export function resumeCommand(plan: ExportPlan, context: ResumeContext, cursor: string): string {
  return shellCommand(['audit', 'export', ...resumeArgs(plan, context, cursor)], shellQuoteForDisplay);
}

export function resumeArgs(plan: ExportPlan, { globals, zone }: ResumeContext, cursor: string): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined) args.push(flag, value);
  };
  // Where to and as whom: what the user gave; the environment of the resume supplies the rest.
  add('--profile', globals.profile);
  add('--server', globals.server);
  add('--org', globals.org);
  // The zone is pinned too: a resume from another terminal (another TZ) must cut the same periods.
  if (globals.utc) args.push('--utc');
  else add('--tz', zone);
  if (globals.insecure) args.push('--insecure');
  if (globals.color === false) args.push('--no-color');
  if (globals.debug) args.push('--debug');

  const { params } = plan;
  if (params.category?.length) add('--category', params.category.join(','));
  if (params.action?.length) add('--action', params.action.join(','));
  add('--actor', params.actor);
  add('--target', params.target);
  add('--resource', params.resource);
  add('--ip', params.ip);
  add('--team', params.team_id);
  add('--search', params.q);
  if (params.detailed) args.push('--detailed');

  args.push('--from', params.from, '--to', params.to, '--format', plan.format);
  if (plan.split) args.push('--split', plan.split);
  if (plan.gzip) args.push('--gzip');
  // The partial holds these columns: the rest of the rows must have them too.
  if (plan.columns) add('--columns', plan.columns.join(','));
  // `--output=` keeps a file name that starts with a dash a value, never a flag.
  args.push(`--output=${plan.output}`, '--no-input', '--cursor', cursor);
  return args;
}
