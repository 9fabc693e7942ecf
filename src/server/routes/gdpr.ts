import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditEvent } from '../../domain/event.js';
import { createGdprStore } from '../../gdpr/gdpr-store.js';
import { assertOwner, isOrganizationAdmin, visibilityOf } from '../permissions.js';
import { forbidden } from '../problem.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { userActor } from '../server-actor.js';

const SubjectBody = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 320, description: 'email or id of the person' }),
  dry_run: Type.Optional(Type.Boolean({ description: 'erasures: report what would change, change nothing' })),
});

const ExportAnswer = Type.Object({
  data: Type.Array(Type.Ref('AuditEvent')),
  summary: Type.Object({
    count: Type.Integer(),
    by_category: Type.Record(Type.String(), Type.Integer()),
    first: Type.Union([Type.String(), Type.Null()]),
    last: Type.Union([Type.String(), Type.Null()]),
    identities: Type.Object({
      ids: Type.Array(Type.String()),
      emails: Type.Array(Type.String()),
      names: Type.Array(Type.String()),
    }),
  }),
});

const ErasureAnswer = Type.Object({
  data: Type.Object({
    pseudonym: Type.String(),
    events_matched: Type.Integer(),
    events_changed: Type.Integer(),
    accounts_changed: Type.Integer(),
    dry_run: Type.Boolean(),
  }),
});

/** Subject-access requests and the right to erasure (GDPR articles 15 and 17). */
export function registerGdprRoutes(app: FastifyInstance) {
  const { db, recorder, now } = app.services;
  const gdpr = createGdprStore(db);

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
    },
    async (request) => {
      const principal = organizationFor(request, (request.params as { org: string }).org);
      visibilityOf(principal);
      if (!isOrganizationAdmin(principal.user))
        throw forbidden('a GDPR export needs an organization owner or admin');
      const { user } = request.body as { user: string };
      const orgId = principal.organization.id;
      const subject = gdpr.resolve(orgId, user);
      const events = gdpr.eventsOf(orgId, subject);
      recorder.record(orgId, [
        {
          action: 'gdpr.export_requested',
          actor: userActor(principal.user),
          target: { type: 'user', name: user },
          metadata: { count: events.length },
        },
      ]);
      return {
        data: events,
        summary: {
          ...summarize(events),
          identities: { ids: [...subject.ids], emails: [...subject.emails], names: [...subject.names] },
        },
      };
    },
  );

  app.post(
    '/api/v1/organizations/:org/gdpr/erasures',
    {
      schema: {
        tags: ['gdpr'],
        summary: "Replace a person's name, email, IP addresses and user agents with a pseudonym (owner only)",
        params: OrgParams,
        body: SubjectBody,
        response: { 200: ErasureAnswer, ...problemResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const principal = organizationFor(request, (request.params as { org: string }).org);
      assertOwner(principal, 'erasing personal data');
      const { user, dry_run: dryRun = false } = request.body as { user: string; dry_run?: boolean };
      const orgId = principal.organization.id;
      const report = gdpr.erase(orgId, gdpr.resolve(orgId, user), { dryRun, now: now() });
      if (!dryRun) {
        // The record of the erasure holds no personal data: counts and the pseudonym only.
        recorder.record(orgId, [
          {
            action: 'gdpr.user_erased',
            actor: userActor(principal.user),
            target: { type: 'user', name: report.pseudonym },
            metadata: {
              count: report.eventsChanged,
              events_matched: report.eventsMatched,
              accounts_changed: report.accountsChanged,
            },
          },
        ]);
      }
      return {
        data: {
          pseudonym: report.pseudonym,
          events_matched: report.eventsMatched,
          events_changed: report.eventsChanged,
          accounts_changed: report.accountsChanged,
          dry_run: report.dryRun,
        },
      };
    },
  );
}

function summarize(events: AuditEvent[]) {
  const byCategory: Record<string, number> = {};
  for (const event of events) byCategory[event.category] = (byCategory[event.category] ?? 0) + 1;
  const times = events.map((event) => event.timestamp).sort();
  return {
    count: events.length,
    by_category: byCategory,
    first: times[0] ?? null,
    last: times.at(-1) ?? null,
  };
}
