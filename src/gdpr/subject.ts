import { isIP } from 'node:net';
import type { AuditEvent } from '../domain/event.js';
import { foldCase, kindOf, normalizeIdentifier } from './normalize.js';

/** An account of the server's own user directory. */
export interface DirectoryAccount {
  id: number;
  publicId: string;
  email: string;
  name: string;
}

/**
 * Who is erased or exported: exactly the identifiers the requester gave (normalized), the
 * directory accounts those name exactly, and the IP addresses and user agents of the events
 * this person performed. Nothing a sender wrote next to them in an event is added on its own.
 */
export interface Subject {
  ids: Set<string>;
  /** Case-folded. */
  emails: Set<string>;
  /** Matched case-insensitively, as whole values or whole words. */
  names: Set<string>;
  /** Case-folded (IPv6). */
  ips: Set<string>;
  /** The IP addresses among `ips` that only events gave (never applied to id fields). */
  learnedIps: Set<string>;
  /** Learned from the events the subject performed (never applied to id fields). */
  agents: Set<string>;
  accounts: DirectoryAccount[];
}

export interface SubjectRequest {
  /** The person, by email or id. */
  user: string;
  /** More emails, ids or IP addresses the requester confirms are this person's. */
  identifiers?: readonly string[] | undefined;
  /** Names the requester confirms are this person's. */
  names?: readonly string[] | undefined;
  /**
   * The learned IP addresses and user agents the requester saw in a dry run and confirmed:
   * when given, only these of the ones events pair with the person are erased.
   */
  confirmed?:
    | { ipAddresses?: readonly string[] | undefined; userAgents?: readonly string[] | undefined }
    | undefined;
}

// A name shorter than this matches too much free text to be erased as a word.
const MIN_NAME_LENGTH = 2;
// A user agent starts with a product token, "Name/1.2"; anything else is not learned.
const PRODUCT_TOKEN = /^[\w.!#$%&'*+^`|~-]+\/\d[\w.]*(?:\s|$)/u;
const MAX_AGENT_LENGTH = 512;
// However many agents forged events pair with a person, each text is searched for at most these.
export const MAX_LEARNED_AGENTS = 50;
// Lone surrogates are not text: they cannot be compared, encoded or stored faithfully.
const LONE_SURROGATE = /\p{Cs}/u;

export class EmptyIdentifierError extends Error {
  override readonly name = 'EmptyIdentifierError';
}

/** The subject the request names, before the directory and the events are consulted. */
export function requestedSubject(request: SubjectRequest): Subject {
  const subject: Subject = {
    ids: new Set(),
    emails: new Set(),
    names: new Set(),
    ips: new Set(),
    learnedIps: new Set(),
    agents: new Set(),
    accounts: [],
  };
  for (const raw of [request.user, ...(request.identifiers ?? []), ...(request.names ?? [])]) {
    if (LONE_SURROGATE.test(raw)) throw new EmptyIdentifierError(`${JSON.stringify(raw)} is not valid text`);
  }
  for (const raw of [request.user, ...(request.identifiers ?? [])]) {
    const identifier = normalizeIdentifier(raw);
    if (identifier === '') throw new EmptyIdentifierError(`${JSON.stringify(raw)} is empty once trimmed`);
    const kind = kindOf(identifier);
    if (kind === 'email') subject.emails.add(identifier.toLowerCase());
    else if (kind === 'ip') subject.ips.add(identifier.toLowerCase());
    else subject.ids.add(identifier);
  }
  for (const raw of request.names ?? []) {
    const name = normalizeIdentifier(raw);
    if (name.length < MIN_NAME_LENGTH)
      throw new EmptyIdentifierError(`name ${JSON.stringify(raw)} is too short`);
    subject.names.add(name);
  }
  return subject;
}

/** True when the account is named exactly by one of the requested ids or emails. */
export function namesAccount(subject: Subject, account: DirectoryAccount): boolean {
  return subject.ids.has(account.publicId) || subject.emails.has(foldCase(account.email));
}

export function addAccount(subject: Subject, account: DirectoryAccount): void {
  subject.accounts.push(account);
  subject.ids.add(account.publicId);
  subject.emails.add(foldCase(account.email));
  const name = normalizeIdentifier(account.name);
  if (name.length >= MIN_NAME_LENGTH) subject.names.add(name);
}

/** False once the account already reads as the pseudonym (a repeated erasure changes nothing). */
export function accountNeedsErasure(account: DirectoryAccount, pseudonym: string): boolean {
  const erasedEmail = new RegExp(`^${pseudonym}(?:-\\d+)?@erased\\.invalid$`);
  return account.name !== pseudonym || !erasedEmail.test(account.email);
}

/** An id or email field that names the subject (an id field may hold an email). */
export function isSubjectIdentity(subject: Subject, value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  return subject.ids.has(normalizeIdentifier(value)) || subject.emails.has(foldCase(value));
}

/** The subject performed the event: its actor's id or email is one of theirs. */
export function isSubjectActor(event: AuditEvent, subject: Subject): boolean {
  const actor = event.actor;
  return actor !== null && (isSubjectIdentity(subject, actor.id) || isSubjectIdentity(subject, actor.email));
}

/** The event is about the subject: its target's id is theirs, or a user target carries their email or name. */
export function isSubjectTarget(event: AuditEvent, subject: Subject): boolean {
  const target = event.target;
  if (!target) return false;
  if (isSubjectIdentity(subject, target.id)) return true;
  if (target.type !== 'user' || target.name === null) return false;
  const name = foldCase(target.name);
  return subject.emails.has(name) || [...subject.names].some((known) => known.toLowerCase() === name);
}

/** What a requester confirmed, folded as learned values are; undefined when they confirmed nothing. */
export interface ConfirmedContext {
  ips: Set<string>;
  agents: Set<string>;
}

export function confirmedContext(request: SubjectRequest): ConfirmedContext | undefined {
  const confirmed = request.confirmed;
  if (!confirmed) return undefined;
  return {
    ips: new Set((confirmed.ipAddresses ?? []).map(foldCase)),
    agents: new Set((confirmed.userAgents ?? []).map(normalizeIdentifier)),
  };
}

/**
 * Learns the IP address and user agent of an event the subject performed. Only values that
 * are an IP address, and user agents that start with a product token ("Name/1.2"), become
 * words to erase from free text: a sender could otherwise make "the" or another customer's
 * order id the subject's user agent. At most MAX_LEARNED_AGENTS agents are learned; when the
 * requester confirmed a list, only values on it are.
 */
export function learnContext(event: AuditEvent, subject: Subject, confirmed?: ConfirmedContext): void {
  if (!isSubjectActor(event, subject)) return;
  const ip = event.context?.ip_address;
  const agent = event.context?.user_agent;
  if (ip && isIP(normalizeIdentifier(ip)) !== 0) {
    const folded = foldCase(ip);
    if (!subject.ips.has(folded) && (!confirmed || confirmed.ips.has(folded))) {
      subject.ips.add(folded);
      subject.learnedIps.add(folded);
    }
  }
  if (!agent || subject.agents.size >= MAX_LEARNED_AGENTS) return;
  const normalized = normalizeIdentifier(agent);
  if (!looksLikeUserAgent(normalized) || (confirmed && !confirmed.agents.has(normalized))) return;
  subject.agents.add(normalized);
}

function looksLikeUserAgent(agent: string): boolean {
  return agent.length <= MAX_AGENT_LENGTH && PRODUCT_TOKEN.test(agent);
}
