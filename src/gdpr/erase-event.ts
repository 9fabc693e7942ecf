import type { AuditEvent, JsonObject, JsonValue } from '../domain/event.js';
import { isSubjectActor, isSubjectTarget, type Subject, textNeedles } from './subject.js';

/**
 * The event with the subject's name, email, IP address and user agent replaced by the
 * pseudonym; ids stay, so the trail still links what one (now anonymous) person did.
 */
export function eraseFromEvent(event: AuditEvent, subject: Subject, pseudonym: string): AuditEvent {
  const replaceText = textReplacer(subject, pseudonym);
  const asActor =
    isSubjectActor(event, subject) ||
    (event.actor?.name ? replaceText(event.actor.name) !== event.actor.name : false);
  const asTarget = isSubjectTarget(event, subject);
  return {
    ...event,
    description: event.description === null ? null : replaceText(event.description),
    actor:
      event.actor && asActor
        ? {
            ...event.actor,
            name: event.actor.name === null ? null : pseudonym,
            email: event.actor.email === null ? null : pseudonym,
          }
        : event.actor,
    target:
      event.target && asTarget
        ? { ...event.target, name: event.target.name === null ? null : pseudonym }
        : event.target,
    context:
      event.context && asActor
        ? {
            ...event.context,
            ip_address: event.context.ip_address === null ? null : pseudonym,
            user_agent: event.context.user_agent === null ? null : pseudonym,
          }
        : event.context,
    changes: replaceDeep(event.changes, replaceText) as JsonObject | null,
    metadata: replaceDeep(event.metadata, replaceText) as JsonObject | null,
  };
}

function textReplacer(subject: Subject, pseudonym: string): (text: string) => string {
  const needles = textNeedles(subject);
  if (needles.length === 0) return (text) => text;
  const pattern = new RegExp(needles.map(escapeRegExp).join('|'), 'gi');
  return (text) => text.replace(pattern, pseudonym);
}

function replaceDeep(value: JsonValue | null, replace: (text: string) => string): JsonValue | null {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((child) => replaceDeep(child, replace) as JsonValue);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, replaceDeep(child, replace) as JsonValue]),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
