/**
 * A finding's evidence query (list parameters, as the server writes them) as the `audit logs`
 * command that shows it: each parameter becomes the flag of filter-options.ts that sets it, and
 * every word is quoted for pasting (the values are the server's, so attacker-controlled text).
 */

import { sanitizeForDisplay } from '../../format/sanitize.js';
import { shellCommand, shellQuoteForDisplay } from '../../format/shell-quote.js';

/** List parameter → `audit logs` flag, in the order the command line shows them. */
const FLAG_OF_PARAM: Readonly<Record<string, string>> = {
  ip: '--ip',
  actor: '--actor',
  // --actor matches an id too (and an email or a name): the nearest flag there is.
  actor_id: '--actor',
  action: '--action',
  category: '--category',
  team_id: '--team',
  target: '--target',
  resource: '--resource',
  q: '--search',
  from: '--from',
  to: '--to',
  since: '--since',
};
const PARAM_ORDER = Object.keys(FLAG_OF_PARAM);

export interface LogsCommand {
  /** `audit`, `logs` and the flags, unquoted. */
  words: string[];
  /** Parameters no flag of `audit logs` sets, as `name=value`. */
  unmapped: string[];
}

export function logsCommandOf(query: Readonly<Record<string, unknown>>): LogsCommand {
  const words = ['audit', 'logs'];
  const unmapped: string[] = [];
  const names = Object.keys(query).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const value = query[name];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    const text = String(value);
    if (name === 'detailed') {
      if (text === 'true') words.push('--detailed');
      continue;
    }
    const flag = Object.hasOwn(FLAG_OF_PARAM, name) ? FLAG_OF_PARAM[name] : undefined;
    if (flag === undefined) unmapped.push(`${name}=${text}`);
    // A value that starts with a dash would read as a flag of its own.
    else if (text.startsWith('-')) words.push(`${flag}=${text}`);
    else words.push(flag, text);
  }
  return { words, unmapped };
}

/** The command as one line to paste into bash or zsh; a parameter without a flag is named in a comment. */
export function logsCommandLine(query: Readonly<Record<string, unknown>>): string {
  const { words, unmapped } = logsCommandOf(query);
  const line = shellCommand(words, shellQuoteForDisplay);
  if (unmapped.length === 0) return line;
  return `${line}  # also ${sanitizeForDisplay(unmapped.join(', '))} (no audit logs flag)`;
}

function rank(name: string): number {
  const index = PARAM_ORDER.indexOf(name);
  return index === -1 ? PARAM_ORDER.length : index;
}
