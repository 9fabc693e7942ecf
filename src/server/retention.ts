import type { Engine } from '../store/port.js';
import { SYSTEM_ACTOR } from './server-actor.js';

const DAY_MS = 86_400_000;

/**
 * Purges every organization's expired events, one write transaction an organization: the purge
 * and its record (with the count) commit together or not at all. The organization's retention
 * is read again inside its write: a write may wait for the lock (another process's admin
 * command), and a retention raised meanwhile must not be overruled by the window listed before.
 */
export async function purgeExpiredEvents(engine: Engine, now: number): Promise<number> {
  let total = 0;
  for (const listed of await engine.stores.directory.listOrganizations())
    if (listed.retentionDays !== null) total += await purgeOrganization(listed.id);
  return total;

  function purgeOrganization(orgId: number): Promise<number> {
    return engine.write(async (tx) => {
      const organization = await tx.directory.organizationById(orgId);
      if (organization?.retentionDays == null) return 0;
      const retentionDays = organization.retentionDays;
      const cutoff = now - retentionDays * DAY_MS;
      const purged = await tx.events.purgeBefore(orgId, cutoff);
      if (purged === 0) return 0;
      await tx.recorder.record(orgId, [
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
      ]);
      return purged;
    });
  }
}
