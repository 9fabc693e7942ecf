import type { AuditEvent, JsonValue } from '../domain/event.js';

/**
 * Everything that identifies one person in the log: the id or email asked for, and every id,
 * email and name that stored events pair with it (an actor's id with its email and name, a
 * user target's id with its name).
 */
export interface Subject {
  ids: Set<string>;
  /** Lower case: emails match case-insensitively. */
  emails: Set<string>;
  names: Set<string>;
}

// Shorter names would match inside unrelated words when rewriting free text.
const MIN_NAME_LENGTH = 3;

export function subjectFor(user: string): Subject {
  const subject: Subject = { ids: new Set(), emails: new Set(), names: new Set() };
  if (user.includes('@')) subject.emails.add(user.toLowerCase());
  else subject.ids.add(user);
  return subject;
}

/** Learns the identities an event pairs with the subject; true when it learned something new. */
export function learnFrom(event: AuditEvent, subject: Subject): boolean {
  const before = size(subject);
  const { actor, target } = event;
  if (actor && isSubjectActor(event, subject)) {
    if (actor.id) subject.ids.add(actor.id);
    if (actor.email) subject.emails.add(actor.email.toLowerCase());
    if (actor.name && actor.type !== 'system') addName(subject, actor.name);
  }
  if (target?.type === 'user' && isSubjectTarget(event, subject)) {
    if (target.id) subject.ids.add(target.id);
    if (target.name?.includes('@')) subject.emails.add(target.name.toLowerCase());
  }
  return size(subject) > before;
}

export function isSubjectActor(event: AuditEvent, subject: Subject): boolean {
  const actor = event.actor;
  if (!actor) return false;
  return (
    (actor.id !== null && subject.ids.has(actor.id)) ||
    (actor.email !== null && subject.emails.has(actor.email.toLowerCase()))
  );
}

export function isSubjectTarget(event: AuditEvent, subject: Subject): boolean {
  const target = event.target;
  if (!target) return false;
  const name = target.name?.toLowerCase();
  return (
    (target.id !== null && subject.ids.has(target.id)) ||
    (name !== undefined && (subject.emails.has(name) || hasName(subject, target.name as string)))
  );
}

/** Actor, target, or named anywhere in the description, changes or metadata. */
export function concernsSubject(event: AuditEvent, subject: Subject): boolean {
  if (isSubjectActor(event, subject) || isSubjectTarget(event, subject)) return true;
  if (event.actor?.name && hasName(subject, event.actor.name)) return true;
  const needles = textNeedles(subject);
  const mentions = (text: string | null | undefined) =>
    text !== null && text !== undefined && needles.some((needle) => text.toLowerCase().includes(needle));
  return (
    mentions(event.description) || anyString(event.changes, mentions) || anyString(event.metadata, mentions)
  );
}

/** The strings to find in free text: every email and every name, lower case, longest first. */
export function textNeedles(subject: Subject): string[] {
  return [...subject.emails, ...[...subject.names].map((name) => name.toLowerCase())].sort(
    (a, b) => b.length - a.length,
  );
}

function hasName(subject: Subject, name: string): boolean {
  return (
    subject.names.has(name) || [...subject.names].some((known) => known.toLowerCase() === name.toLowerCase())
  );
}

function addName(subject: Subject, name: string) {
  if (name.length >= MIN_NAME_LENGTH) subject.names.add(name);
}

function size(subject: Subject): number {
  return subject.ids.size + subject.emails.size + subject.names.size;
}

function anyString(value: JsonValue | null | undefined, test: (text: string) => boolean): boolean {
  if (typeof value === 'string') return test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some((child) => anyString(child, test));
}
