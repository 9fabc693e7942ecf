import type { AuditEvent, JsonObject, JsonValue } from '../domain/event.js';
import { foldCase } from './normalize.js';
import { isSubjectActor, isSubjectTarget, type Subject } from './subject.js';
import type { SubjectMatchers } from './text-match.js';

/**
 * The event with the subject's personal data replaced by the pseudonym. When the subject
 * performed it, the actor's name and email and the event's IP address and user agent; when it
 * is about them, the target's name; everywhere else (description, target and team, changes,
 * metadata keys and values) each whole-word occurrence of their emails, names, IP addresses and
 * user agents. Ids stay, so the trail still links what one (now anonymous) person did: an id
 * changes only where it is one of their emails or holds a requested email, name or IP address,
 * never for what events taught (IP addresses, user agents). Another actor's own fields are
 * never touched.
 */
export function eraseFromEvent(
  event: AuditEvent,
  subject: Subject,
  matchers: SubjectMatchers,
  pseudonym: string,
): AuditEvent {
  const text = (value: string): string => matchers.text.replace(value, pseudonym);
  const idText = (value: string | null): string | null =>
    value === null ? null : matchers.ids.replace(value, pseudonym);
  const textOrNull = (value: string | null): string | null => (value === null ? null : text(value));
  const asActor = isSubjectActor(event, subject);
  const asTarget = isSubjectTarget(event, subject);
  const whole = (value: string | null): string | null => (value === null ? null : pseudonym);
  const id = (value: string | null): string | null =>
    value !== null && subject.emails.has(foldCase(value)) ? pseudonym : idText(value);
  const { actor, target, context } = event;
  return {
    ...event,
    action: text(event.action),
    description: textOrNull(event.description),
    actor:
      actor && asActor
        ? { ...actor, id: id(actor.id), name: whole(actor.name), email: whole(actor.email) }
        : actor,
    target: target
      ? {
          type: textOrNull(target.type),
          id: id(target.id),
          name: asTarget ? whole(target.name) : textOrNull(target.name),
        }
      : target,
    context: context
      ? {
          ip_address: asActor ? whole(context.ip_address) : context.ip_address,
          user_agent: asActor ? whole(context.user_agent) : context.user_agent,
          team_id: idText(context.team_id),
          team_name: textOrNull(context.team_name),
        }
      : context,
    changes: replaceDeep(event.changes, text) as JsonObject | null,
    metadata: replaceDeep(event.metadata, text) as JsonObject | null,
  };
}

/**
 * Strings and object keys, at any depth. A key that becomes one already present is numbered
 * ("erased-user-1a2b3c4d 2"), as redaction does, so no entry is lost; keys left as they were
 * keep their names.
 */
function replaceDeep(value: JsonValue | null, replace: (text: string) => string): JsonValue | null {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((child) => replaceDeep(child, replace) as JsonValue);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, child]) => ({ key, erased: replace(key), child }));
  const taken = new Set(entries.filter(({ key, erased }) => key === erased).map(({ key }) => key));
  return Object.fromEntries(
    entries.map(({ key, erased, child }) => {
      let name = erased;
      if (key !== erased) {
        for (let n = 2; taken.has(name); n++) name = `${erased} ${n}`;
        taken.add(name);
      }
      return [name, replaceDeep(child, replace) as JsonValue];
    }),
  );
}

/** The subject performed the event, is its target, or is named in any of its free text. */
export function concernsSubject(event: AuditEvent, subject: Subject, matchers: SubjectMatchers): boolean {
  if (isSubjectActor(event, subject) || isSubjectTarget(event, subject)) return true;
  const { target, context } = event;
  const matcher = matchers.text;
  return (
    [target?.id, context?.team_id].some((id) => typeof id === 'string' && matchers.ids.mentions(id)) ||
    [event.action, event.description, target?.type, target?.name, context?.team_name].some(
      (text) => typeof text === 'string' && matcher.mentions(text),
    ) ||
    anyText(event.changes, matcher.mentions) ||
    anyText(event.metadata, matcher.mentions)
  );
}

function anyText(value: JsonValue | null, test: (text: string) => boolean): boolean {
  if (typeof value === 'string') return test(value);
  if (Array.isArray(value)) return value.some((child) => anyText(child, test));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, child]) => test(key) || anyText(child, test));
}
