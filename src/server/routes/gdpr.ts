import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { formatPositionRanges, parsePositionRanges } from '../../domain/merkle/position-ranges.js';
import { GDPR_REQUEST_COST } from '../../domain/request-limits.js';
import {
  candidatesToJson,
  type ErasureReport,
  eraseSubject,
  identifiersToJson,
  positionsOf,
  previewErasure,
  resolvePaged,
} from '../../gdpr/erasure.js';
import { eventJsonAt } from '../../gdpr/event-scan.js';
import { exportDocument } from '../../gdpr/export-document.js';
import { EmptyIdentifierError, requestedSubject, type SubjectRequest } from '../../gdpr/subject.js';
import { assertOrganizationReader, assertOwner } from '../permissions.js';
import { invalidParameter, Problem } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { ErasureAnswer, ExportAnswer, SubjectBody, type SubjectBodyValue } from '../schemas/gdpr.js';
import { userActor } from '../server-actor.js';

/** How long an erasure waits for readers to let the WAL go before answering 503. */
export const DEFAULT_SCRUB_WAIT_MS = 5000;
const SCRUB_RETRY_AFTER_S = 5;
const STARTUP_SCRUB_RETRY_MS = 1000;

/** Subject-access requests and the right to erasure (GDPR articles 15 and 17). */
export function registerGdprRoutes(app: FastifyInstance, options: { scrubWaitMs?: number | undefined } = {}) {
  const { now, engine } = app.services;
  const { gdpr } = engine.stores;
  const scrubWaitMs = options.scrubWaitMs ?? DEFAULT_SCRUB_WAIT_MS;
  finishPendingScrub(app);

  // Not typed by the provider: the answer is a stream of the document, which the schema
  // describes but a stream's type cannot show.
  app.post(
    '/api/v1/organizations/:org/gdpr/exports',
    {
      schema: {
        tags: ['gdpr'],
        summary: 'Every event in which a person appears (owner or admin)',
        params: OrgParams,
        body: SubjectBody,
        response: { 200: ExportAnswer, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: { rateCost: () => GDPR_REQUEST_COST },
    },
    async (request, reply) => {
      const principal = organizationFor(request, (request.params as { org: string }).org);
      assertOrganizationReader(principal, 'a GDPR export');
      const body = request.body as SubjectBodyValue;
      const orgId = principal.organization.id;
      // Each scan reads a page per turn of the event loop (event-scan.ts).
      const { subject, candidates } = await resolvePaged(gdpr, orgId, subjectRequest(body));
      const seqs = await positionsOf(gdpr, orgId, subject);
      // Recorded before any data leaves: a busy database answers 503, never an unaudited export.
      await engine.write((tx) =>
        tx.recorder.record(orgId, [
          {
            action: 'gdpr.export_requested',
            actor: userActor(principal.user),
            target: { type: 'user', name: body.user },
            metadata: { count: seqs.length },
          },
        ]),
      );
      const summaryExtra = {
        identities: identifiersToJson(subject),
        candidates: candidatesToJson(candidates),
      };
      const document = exportDocument(eventJsonAt(gdpr, orgId, seqs), summaryExtra);
      return reply.type('application/json; charset=utf-8').send(Readable.from(document));
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/organizations/:org/gdpr/erasures',
    {
      schema: {
        tags: ['gdpr'],
        summary: "Replace a person's name, email, IP addresses and user agents with a pseudonym (owner only)",
        params: OrgParams,
        body: SubjectBody,
        response: { 200: ErasureAnswer, ...problemResponses(400, 401, 403, 404, 429, 503) },
      },
      config: { rateCost: () => GDPR_REQUEST_COST },
    },
    async (request) => {
      const principal = organizationFor(request, request.params.org);
      assertOwner(principal, 'erasing personal data');
      const body = request.body;
      const orgId = principal.organization.id;
      if (body.dry_run) return { data: answer(await previewErasure(gdpr, orgId, subjectRequest(body))) };
      const subject = subjectRequest(body);
      // One write: the erasure and its record commit together, and followers are woken after
      // the commit. The record holds no personal data: counts and the pseudonym only.
      const report = await engine.write(async (tx) => {
        const erased = await eraseSubject(tx.gdpr, orgId, subject, now());
        const size = await tx.merkle.size(orgId);
        const changedPositions = await tx.merkle.positionsOf(orgId, erased.changedSeqs);
        await tx.recorder.record(orgId, [
          {
            action: 'gdpr.user_erased',
            actor: userActor(principal.user),
            target: { type: 'user', name: erased.pseudonym },
            metadata: {
              count: erased.eventsChanged,
              events_matched: erased.eventsMatched,
              accounts_changed: erased.accountsChanged,
              // Rewriting an event deleted its leaf's salt (migration 0002's trigger): a full
              // check tells these leaves, which no longer recompute, from edited ones.
              // An earlier erasure record it rewrote can no longer be proved: its positions are named again.
              tree_positions: formatPositionRanges([
                ...changedPositions,
                ...erased.rewrittenErasurePositions.flatMap((text) => positionsIn(text, size)),
              ]),
            },
          },
        ]);
        return erased;
      });
      if (!(await engine.scrub(scrubWaitMs))) throw erasurePending();
      return { data: answer(report) };
    },
  );
}

/** Every position below `size` that an erasure record's `tree_positions` names. */
function positionsIn(text: string, size: number): number[] {
  const positions: number[] = [];
  for (const [start, end] of parsePositionRanges(text) ?? [])
    for (let p = start; p <= Math.min(end, size - 1); p++) positions.push(p);
  return positions;
}

/** The request's identifiers, checked now: one that is empty once normalized is a 400 before any work. */
function subjectRequest(body: SubjectBodyValue): SubjectRequest {
  const request: SubjectRequest = {
    user: body.user,
    identifiers: body.identifiers,
    names: body.names,
    confirmed: body.confirmed && {
      ipAddresses: body.confirmed.ip_addresses,
      userAgents: body.confirmed.user_agents,
    },
  };
  try {
    requestedSubject(request);
  } catch (error) {
    if (error instanceof EmptyIdentifierError) throw invalidParameter('user', error.message);
    throw error;
  }
  return request;
}

function answer(report: ErasureReport) {
  return {
    pseudonym: report.pseudonym,
    events_matched: report.eventsMatched,
    events_changed: report.eventsChanged,
    accounts_changed: report.accountsChanged,
    dry_run: report.dryRun,
    ...(report.dryRun
      ? { subject: identifiersToJson(report.subject), candidates: candidatesToJson(report.candidates) }
      : {}),
  };
}

function erasurePending(): Problem {
  return new Problem(
    503,
    'erasure-pending',
    'Erasure pending',
    'the rows are erased, but another reader keeps old copies in the database files; repeat the request to finish (the server also finishes it when it starts)',
    {},
    { 'retry-after': String(SCRUB_RETRY_AFTER_S) },
  );
}

/** An erasure a reader kept from finishing is finished now, or retried until it is. */
function finishPendingScrub(app: FastifyInstance): void {
  const { engine } = app.services;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  const attempt = async () => {
    timer = undefined;
    if (closing) return;
    try {
      if (!(await engine.scrub(0)) && !closing) timer = setTimeout(attempt, STARTUP_SCRUB_RETRY_MS).unref();
    } catch (error) {
      app.log.error(error, 'GDPR scrub failed');
    }
  };
  const started = engine.stores.gdpr
    .scrubPending()
    .then((pending) => (pending ? attempt() : undefined))
    .catch((error: unknown) => app.log.error(error, 'GDPR scrub failed'));
  app.addHook('onClose', async () => {
    closing = true;
    clearTimeout(timer);
    await started;
  });
}
