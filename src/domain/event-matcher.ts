import { CHECKPOINT_SIGNED, showsCheckpointRecords } from './checkpoint-record.js';
import type { AuditEvent } from './event.js';
import type { EventFilter, VisibilityScope } from './filters.js';
import { searchedFields, searchPhrases, textMatches } from './free-text.js';

/**
 * The in-memory twin of store/event-query: live followers test each new event against their
 * filter here instead of querying the database once per follower. Text columns the database
 * compares with NOCASE are compared case-insensitively here too.
 */
export function createEventMatcher(
  filter: EventFilter,
  scope: VisibilityScope,
): (event: AuditEvent) => boolean {
  const phrases = filter.text === undefined ? undefined : searchPhrases(filter.text);
  return (event) =>
    inScope(event, scope) &&
    matchesFilter(event, filter) &&
    (phrases === undefined || textMatches(phrases, searchedFields(event)));
}

function inScope(event: AuditEvent, scope: VisibilityScope): boolean {
  if (scope.kind === 'organization') return true;
  const own = event.actor?.id === scope.userId || sameText(event.actor?.email, scope.email);
  return own || (scope.kind === 'team' && event.context?.team_id === scope.teamId);
}

function matchesFilter(event: AuditEvent, filter: EventFilter): boolean {
  const { actor, target, context } = event;
  if (filter.categories?.length && !filter.categories.includes(event.category)) return false;
  if (!filter.detailed && !filter.categories?.includes('access') && event.category === 'access') return false;
  if (event.action === CHECKPOINT_SIGNED && !showsCheckpointRecords(filter)) return false;
  if (filter.actions?.length || filter.actionPrefixes?.length) {
    const exact = filter.actions?.includes(event.action) ?? false;
    const prefixed = filter.actionPrefixes?.some((prefix) => event.action.startsWith(prefix)) ?? false;
    if (!exact && !prefixed) return false;
  }
  if (filter.actor !== undefined) {
    const wanted = filter.actor;
    if (!(actor?.id === wanted || sameText(actor?.email, wanted) || sameText(actor?.name, wanted)))
      return false;
  }
  if (filter.self && !(actor?.id === filter.self.userId || sameText(actor?.email, filter.self.email)))
    return false;
  if (filter.actorId !== undefined && actor?.id !== filter.actorId) return false;
  if (
    filter.target !== undefined &&
    !(target?.id === filter.target || sameText(target?.name, filter.target))
  ) {
    return false;
  }
  if (filter.resource !== undefined) {
    const wanted = filter.resource;
    const matched =
      target?.id === wanted ||
      sameText(target?.name, wanted) ||
      sameText(context?.team_name, wanted) ||
      sameText(actor?.email, wanted);
    if (!matched) return false;
  }
  if (filter.ip !== undefined && context?.ip_address !== filter.ip) return false;
  if (filter.teamId !== undefined && context?.team_id !== filter.teamId) return false;
  const time = Date.parse(event.timestamp);
  if (filter.from !== undefined && time < filter.from) return false;
  if (filter.toExclusive !== undefined && time >= filter.toExclusive) return false;
  return true;
}

/** SQLite's NOCASE folds ASCII letters only; do the same so both sides agree. */
function sameText(value: string | null | undefined, wanted: string): boolean {
  return value !== null && value !== undefined && foldAscii(value) === foldAscii(wanted);
}

function foldAscii(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
