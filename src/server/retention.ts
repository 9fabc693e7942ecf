import type { DirectoryStore, Organization, Plan } from '../store/directory-store.js';
import type { EventRecorder } from '../store/event-recorder.js';
import type { EventStore } from '../store/event-store.js';
import { SYSTEM_ACTOR } from './server-actor.js';

const DAY_MS = 86_400_000;

/** Retention windows by plan, from the reference documents. `unlimited` never purges. */
export const PLAN_RETENTION_DAYS: Record<Exclude<Plan, 'enterprise' | 'unlimited'>, number> = {
  free: 30,
  paid: 90,
  fleet: 365,
};
export const ENTERPRISE_MAX_RETENTION_DAYS = 730;

export function retentionDaysFor(plan: Plan, requestedDays: number | undefined): number | null {
  if (plan === 'unlimited') return null;
  if (plan === 'enterprise') return requestedDays ?? ENTERPRISE_MAX_RETENTION_DAYS;
  return PLAN_RETENTION_DAYS[plan];
}

/** Purges every organization's expired events; each purge is recorded with its count, in its transaction. */
export function purgeExpiredEvents(
  directory: DirectoryStore,
  events: EventStore,
  recorder: EventRecorder,
  now: number,
): number {
  let total = 0;
  for (const organization of directory.listOrganizations()) total += purgeOrganization(organization);
  return total;

  function purgeOrganization(organization: Organization): number {
    if (organization.retentionDays === null) return 0;
    const cutoff = now - organization.retentionDays * DAY_MS;
    const retentionDays = organization.retentionDays;
    // The purge and its record commit together (see EventStore.purgeBefore).
    return events.purgeBefore(organization.id, cutoff, (purged) =>
      recorder.record(organization.id, [
        {
          action: 'audit.retention_purged',
          actor: SYSTEM_ACTOR,
          metadata: {
            count: purged,
            retention_days: retentionDays,
            plan: organization.plan,
            cutoff: new Date(cutoff).toISOString(),
          },
        },
      ]),
    );
  }
}
