import type { AuditEvent } from '../domain/event.js';
import { foldCase, normalizeIdentifier } from './normalize.js';
import { isSubjectActor, isSubjectTarget, type Subject } from './subject.js';

/**
 * Identifiers that stored events pair with the subject (an actor's email beside their id, a
 * user target's name). Senders wrote them, so they are only shown to the requester, who may
 * confirm them in a new request; erasure and export never follow them.
 */
export interface Candidates {
  ids: Set<string>;
  emails: Set<string>;
  names: Set<string>;
}

export function emptyCandidates(): Candidates {
  return { ids: new Set(), emails: new Set(), names: new Set() };
}

export function collectCandidates(event: AuditEvent, subject: Subject, candidates: Candidates): void {
  const { actor, target } = event;
  if (actor && isSubjectActor(event, subject)) {
    addIdentity(actor.id, subject, candidates);
    addIdentity(actor.email, subject, candidates);
    addName(actor.name, subject, candidates);
  }
  if (target?.type === 'user' && isSubjectTarget(event, subject)) {
    addIdentity(target.id, subject, candidates);
    if (target.name?.includes('@')) addIdentity(target.name, subject, candidates);
    else addName(target.name, subject, candidates);
  }
}

export function candidatesToJson(candidates: Candidates) {
  return {
    ids: [...candidates.ids].sort(),
    emails: [...candidates.emails].sort(),
    names: [...candidates.names].sort(),
  };
}

function addIdentity(value: string | null, subject: Subject, candidates: Candidates): void {
  if (!value) return;
  if (value.includes('@')) {
    const email = foldCase(value);
    if (email !== '' && !subject.emails.has(email)) candidates.emails.add(email);
  } else {
    const id = normalizeIdentifier(value);
    if (id !== '' && !subject.ids.has(id)) candidates.ids.add(id);
  }
}

function addName(value: string | null, subject: Subject, candidates: Candidates): void {
  if (!value) return;
  const name = normalizeIdentifier(value);
  const known = [...subject.names].some((known) => known.toLowerCase() === name.toLowerCase());
  if (name !== '' && !known) candidates.names.add(name);
}
