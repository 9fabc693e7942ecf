import type { AuditEvent } from '../domain/event.js';
import type { StorePort } from '../store/port.js';
import { type Candidates, collectCandidates, emptyCandidates } from './candidates.js';
import { eventPages } from './event-scan.js';
import {
  addAccount,
  type ConfirmedContext,
  confirmedContext,
  learnContext,
  namesAccount,
  requestedSubject,
  type Subject,
  type SubjectRequest,
} from './subject.js';

export interface Resolution {
  subject: Subject;
  candidates: Candidates;
  confirmed: ConfirmedContext | undefined;
}

/**
 * The subject a request names: its identifiers, the directory accounts they name exactly, and
 * the IP addresses and user agents of the events the subject performed; plus the candidates
 * (identifiers events pair with them) for the requester to review. One pass over the events:
 * inside the erasure's write (`inWrite`), or a page at a time letting the server answer other
 * requests meanwhile.
 */
export async function resolveSubject(
  gdpr: StorePort['gdpr'],
  orgId: number,
  request: SubjectRequest,
  options: { inWrite: boolean },
): Promise<Resolution> {
  const subject = requestedSubject(request);
  for (const account of await gdpr.accounts(orgId))
    if (namesAccount(subject, account)) addAccount(subject, account);
  const resolution = { subject, candidates: emptyCandidates(), confirmed: confirmedContext(request) };
  for await (const page of eventPages(gdpr, orgId, options))
    for (const { event } of page) learn(event, resolution);
  return resolution;
}

function learn(event: AuditEvent, { subject, candidates, confirmed }: Resolution): void {
  learnContext(event, subject, confirmed);
  collectCandidates(event, subject, candidates);
}
