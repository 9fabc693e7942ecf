import type { StorePort } from '../store/port.js';
import { type Candidates, candidatesToJson } from './candidates.js';
import { eraseFromDirectory } from './directory-erasure.js';
import { concernsSubject, eraseFromEvent } from './erase-event.js';
import { eventPages } from './event-scan.js';
import { identityHmacs, newPseudonym } from './pseudonym.js';
import { type Resolution, resolveSubject } from './resolve.js';
import { accountNeedsErasure, type Subject, type SubjectRequest } from './subject.js';
import { subjectMatchers } from './text-match.js';

export interface ErasureReport {
  pseudonym: string;
  eventsMatched: number;
  eventsChanged: number;
  /** The sequence numbers of the events rewritten (none in a dry run). */
  changedSeqs: number[];
  /**
   * The `tree_positions` of earlier erasure records this erasure rewrote (their actor was this
   * person): its own record names them again, as a rewritten record's metadata proves nothing.
   */
  rewrittenErasurePositions: string[];
  accountsChanged: number;
  dryRun: boolean;
  subject: Subject;
  candidates: Candidates;
}

type GdprPort = StorePort['gdpr'];

/** The subject a request names, read a page at a time (the event loop turns between pages). */
export const resolvePaged = (gdpr: GdprPort, orgId: number, request: SubjectRequest): Promise<Resolution> =>
  resolveSubject(gdpr, orgId, request, { inWrite: false });

/** Where the subject's events are: read a page at a time (the event loop turns between pages). */
export async function positionsOf(gdpr: GdprPort, orgId: number, subject: Subject): Promise<number[]> {
  const matchers = subjectMatchers(subject);
  const seqs: number[] = [];
  for await (const page of eventPages(gdpr, orgId, { inWrite: false })) {
    for (const { seq, event } of page) if (concernsSubject(event, subject, matchers)) seqs.push(seq);
  }
  return seqs;
}

/** The same person always gets the same pseudonym, however the request names them. */
async function pseudonymFor(
  gdpr: GdprPort,
  subject: Subject,
): Promise<{ pseudonym: string; hmacs: string[] }> {
  const secret = await gdpr.pseudonymSecret();
  const hmacs = identityHmacs(subject, secret);
  const known = await gdpr.pseudonymOf(hmacs);
  return { pseudonym: known ?? newPseudonym(subject, secret), hmacs };
}

function report(resolution: Resolution, pseudonym: string, dryRun: boolean): ErasureReport {
  const { subject, candidates } = resolution;
  return {
    pseudonym,
    eventsMatched: 0,
    eventsChanged: 0,
    changedSeqs: [],
    rewrittenErasurePositions: [],
    accountsChanged: subject.accounts.filter((account) => accountNeedsErasure(account, pseudonym)).length,
    dryRun,
    subject,
    candidates,
  };
}

/** What an erasure would change, changing nothing; read a page at a time. */
export async function previewErasure(
  gdpr: GdprPort,
  orgId: number,
  request: SubjectRequest,
): Promise<ErasureReport> {
  const resolution = await resolvePaged(gdpr, orgId, request);
  const { subject } = resolution;
  const matchers = subjectMatchers(subject);
  const result = report(resolution, (await pseudonymFor(gdpr, subject)).pseudonym, true);
  for await (const page of eventPages(gdpr, orgId, { inWrite: false })) {
    for (const { event } of page) {
      if (!concernsSubject(event, subject, matchers)) continue;
      result.eventsMatched++;
      const erased = eraseFromEvent(event, subject, matchers, result.pseudonym);
      if (JSON.stringify(erased) !== JSON.stringify(event)) result.eventsChanged++;
    }
  }
  return result;
}

/**
 * Rewrites every row, inside the caller's write transaction (`tx.gdpr` of one Engine.write):
 * the subject is resolved inside it, so events that arrive meanwhile are covered, and the files
 * are marked as needing a scrub (Engine.scrub). The caller records the erasure in the same
 * transaction, after the rewrite: the erasure and its record commit together.
 */
export async function eraseSubject(
  gdpr: GdprPort,
  orgId: number,
  request: SubjectRequest,
  now: number,
): Promise<ErasureReport> {
  await gdpr.openErasure(orgId);
  const resolution = await resolveSubject(gdpr, orgId, request, { inWrite: true });
  const { subject } = resolution;
  const matchers = subjectMatchers(subject);
  const { pseudonym, hmacs } = await pseudonymFor(gdpr, subject);
  await gdpr.rememberPseudonym(hmacs, pseudonym);
  const result = report(resolution, pseudonym, false);
  for await (const page of eventPages(gdpr, orgId, { inWrite: true })) {
    for (const stored of page) {
      if (!concernsSubject(stored.event, subject, matchers)) continue;
      result.eventsMatched++;
      const erased = eraseFromEvent(stored.event, subject, matchers, pseudonym);
      if (JSON.stringify(erased) === JSON.stringify(stored.event)) continue;
      result.eventsChanged++;
      result.changedSeqs.push(stored.seq);
      const positions = stored.event.action === 'gdpr.user_erased' && stored.event.metadata?.tree_positions;
      if (typeof positions === 'string') result.rewrittenErasurePositions.push(positions);
      await gdpr.rewriteEvent(stored.seq, stored.event, erased);
    }
  }
  await eraseFromDirectory(gdpr, orgId, subject, matchers.text, pseudonym, now);
  await gdpr.markScrubPending();
  await gdpr.closeErasure();
  return result;
}

export function identifiersToJson(subject: Subject) {
  return {
    ids: [...subject.ids].sort(),
    emails: [...subject.emails].sort(),
    names: [...subject.names].sort(),
    ip_addresses: [...subject.ips].sort(),
    user_agents: [...subject.agents].sort(),
    accounts: subject.accounts.map((account) => account.publicId),
  };
}

export { candidatesToJson };
