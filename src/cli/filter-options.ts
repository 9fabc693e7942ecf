/**
 * The filter flags shared by `logs`, `search`, `tail` and `export`, and their translation into
 * the list endpoint's query parameters.
 */
import { type Command, Option } from 'commander';
import type { ListParams } from '../client/types.js';
import { CATEGORIES, type Category, isCategory } from '../domain/categories.js';
import { checkRange, type DateContext, parseFromFlag, parseToFlag, validateSinceFlag } from './dates.js';
import { UsageError } from './errors.js';

/** The options object commander builds from the filter flags. */
export interface FilterOptions {
  category?: Category[];
  action?: string[];
  actor?: string;
  target?: string;
  resource?: string;
  ip?: string;
  team?: string;
  from?: string;
  to?: string;
  since?: string;
  search?: string;
  detailed?: boolean;
}

/**
 * Adds the filter flags. `--category` and `--action` repeat and take comma lists. They are not
 * commander variadics (`<value...>`): a variadic would swallow the words that follow it, so
 * `audit search --category auth failed login` would read `failed` as a category.
 */
export function addFilterOptions(command: Command): Command {
  const category = filter(
    '--category <category>',
    'only these categories (repeat, or a comma list)',
  ).argParser(parseCategoryList);
  // Listed in the help (and for completions); the parser above does the checking.
  category.argChoices = [...CATEGORIES];
  return command
    .addOption(category)
    .addOption(
      filter(
        '--action <action>',
        'only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)',
      ).argParser(parseActionList),
    )
    .addOption(
      filter('--actor <actor>', 'actor id, email or name; "me" for your own events').argParser(
        text('--actor'),
      ),
    )
    .addOption(filter('--target <target>', 'target id or name').argParser(text('--target')))
    .addOption(
      filter('--resource <resource>', 'target id or name, team name, or actor email').argParser(
        text('--resource'),
      ),
    )
    .addOption(filter('--ip <ip>', 'IP address').argParser(text('--ip')))
    .addOption(filter('--team <team-id>', 'team id').argParser(text('--team')))
    .addOption(
      filter(
        '--from <date>',
        'start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today',
      ),
    )
    .addOption(filter('--to <date>', 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now'))
    .addOption(
      filter('--since <duration>', 'events from this long ago: 30m, 24h, 7d, 2w').argParser(
        validateSinceFlag,
      ),
    )
    .addOption(filter('-q, --search <text>', 'free-text search').argParser(text('--search')))
    .addOption(filter('--detailed', 'include detailed access events (page views, API calls)'));
}

/** The filter flags as list parameters; dates are read in `context.zone`. */
export function filtersToParams(options: FilterOptions, context: DateContext): ListParams {
  if (options.since !== undefined && options.from !== undefined) {
    throw new UsageError('--since and --from cannot be used together; give one of them');
  }
  const params: ListParams = {};
  if (options.category?.length) params.category = [...options.category];
  if (options.action?.length) params.action = [...options.action];
  if (options.actor !== undefined) params.actor = options.actor;
  if (options.target !== undefined) params.target = options.target;
  if (options.resource !== undefined) params.resource = options.resource;
  if (options.ip !== undefined) params.ip = options.ip;
  if (options.team !== undefined) params.team_id = options.team;
  if (options.search !== undefined) params.q = options.search;
  if (options.from !== undefined) params.from = parseFromFlag(options.from, context);
  if (options.to !== undefined) params.to = parseToFlag(options.to, context);
  if (options.since !== undefined) params.since = validateSinceFlag(options.since);
  checkRange(params.from, params.to);
  if (options.detailed) params.detailed = true;
  return params;
}

export function parseCategoryList(value: string, previous: Category[] | undefined): Category[] {
  const items = splitList(value).map((item) => item.toLowerCase());
  if (items.length === 0)
    throw new UsageError(`--category: needs a value; choose from ${CATEGORIES.join(', ')}`);
  for (const item of items) {
    if (!isCategory(item)) {
      throw new UsageError(
        `--category: ${JSON.stringify(item)} is not a category; choose from ${CATEGORIES.join(', ')}`,
      );
    }
  }
  return unique([...(previous ?? []), ...(items as Category[])]);
}

export function parseActionList(value: string, previous: string[] | undefined): string[] {
  const items = splitList(value);
  if (items.length === 0) throw new UsageError('--action: needs a value, e.g. user.login or tunnel.*');
  for (const item of items) {
    const star = item.indexOf('*');
    if (star !== -1 && (star !== item.length - 1 || item === '*')) {
      throw new UsageError(`--action: ${JSON.stringify(item)}: a wildcard must end a prefix, as in tunnel.*`);
    }
  }
  return unique([...(previous ?? []), ...items]);
}

function filter(flags: string, description: string): Option {
  return new Option(flags, description).helpGroup('Filters:');
}

/** A free-form value: trimmed, and not empty. */
function text(flag: string) {
  return (value: string): string => {
    const trimmed = value.trim();
    if (trimmed === '') throw new UsageError(`${flag}: needs a value`);
    return trimmed;
  };
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
