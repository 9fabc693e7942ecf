import type { AuditEvent } from '../domain/event.js';
import type { Db } from '../store/database.js';
import { type Candidates, collectCandidates, emptyCandidates } from './candidates.js';
import type { EventScan } from './event-scan.js';
import {
  addAccount,
  type ConfirmedContext,
  confirmedContext,
  type DirectoryAccount,
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
 * (identifiers events pair with them) for the requester to review. One pass over the events.
 */
export function createSubjectResolver(db: Db, scan: EventScan) {
  const accounts = db.prepare<[number], DirectoryAccount>(
    'SELECT id, public_id AS publicId, email, name FROM users WHERE org_id = ? ORDER BY id',
  );

  function start(orgId: number, request: SubjectRequest): Resolution {
    const subject = requestedSubject(request);
    for (const account of accounts.all(orgId))
      if (namesAccount(subject, account)) addAccount(subject, account);
    return { subject, candidates: emptyCandidates(), confirmed: confirmedContext(request) };
  }

  function learn(event: AuditEvent, { subject, candidates, confirmed }: Resolution): void {
    learnContext(event, subject, confirmed);
    collectCandidates(event, subject, candidates);
  }

  return {
    /** Synchronously, for use inside the erasure's write transaction. */
    resolve(orgId: number, request: SubjectRequest): Resolution {
      const resolution = start(orgId, request);
      for (const { event } of scan.all(orgId)) learn(event, resolution);
      return resolution;
    },

    /** A page at a time, letting the server answer other requests meanwhile. */
    async resolvePaged(orgId: number, request: SubjectRequest): Promise<Resolution> {
      const resolution = start(orgId, request);
      for await (const page of scan.pages(orgId)) for (const { event } of page) learn(event, resolution);
      return resolution;
    },
  };
}
