import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeExpiredEvents } from '../../src/server/retention.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { adminOf, engineOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const DAY_MS = 86_400_000;

// A change and the audit record that tells of it commit in one transaction: a crash (here, a
// fault injected in the real database by a trigger) between the two must leave neither.
describe('a change and its audit record commit together', () => {
  let fixture: Fixture;
  let stores: Stores;

  beforeEach(async () => {
    fixture = await createFixture();
    stores = createStores(fixture.db);
  });
  afterEach(() => fixture.close());

  /** From now on, storing an event with this action fails inside SQLite. */
  const failRecordOf = (action: string) =>
    fixture.db.exec(`CREATE TEMP TRIGGER fail_record BEFORE INSERT ON events WHEN NEW.action = '${action}'
      BEGIN SELECT RAISE(ABORT, 'injected: the audit record cannot be stored'); END`);
  /** From now on, any change to this table fails inside SQLite. */
  const failChangeOf = (table: string, operation: 'INSERT' | 'UPDATE' | 'DELETE') =>
    fixture.db.exec(`CREATE TEMP TRIGGER fail_change BEFORE ${operation} ON ${table}
      BEGIN SELECT RAISE(ABORT, 'injected: the change cannot be stored'); END`);
  const recordsOf = (action: string) =>
    fixture.db.prepare('SELECT count(*) FROM events WHERE action = ?').pluck().get(action) as number;
  const count = (sql: string, ...params: unknown[]) =>
    fixture.db
      .prepare(sql)
      .pluck()
      .get(...params) as number;
  const defaultOrg = () => stores.directory.findOrganization('default');

  it('a token whose creation record cannot be stored is not created either', async () => {
    const tokensBefore = count('SELECT count(*) FROM api_tokens');
    failRecordOf('security.api_token_created');
    await expect(adminOf(stores).createToken('default', 'mia@example.com', 'read', 'ghost')).rejects.toThrow(
      /injected/,
    );
    expect(count('SELECT count(*) FROM api_tokens')).toBe(tokensBefore);
    expect(count("SELECT count(*) FROM api_tokens WHERE name = 'ghost'")).toBe(0);
  });

  it('a token that cannot be created leaves no creation record', async () => {
    const recordsBefore = recordsOf('security.api_token_created');
    failChangeOf('api_tokens', 'INSERT');
    await expect(adminOf(stores).createToken('default', 'mia@example.com', 'read')).rejects.toThrow(
      /injected/,
    );
    expect(recordsOf('security.api_token_created')).toBe(recordsBefore);
  });

  it('a revocation whose record cannot be stored leaves the token working', async () => {
    const admin = adminOf(stores);
    const { token, record } = await admin.createToken('default', 'mia@example.com', 'read', 'keep');
    failRecordOf('security.api_token_revoked');
    await expect(admin.revokeToken('default', record.prefix)).rejects.toThrow(/injected/);
    expect(stores.directory.authenticate(token).ok).toBe(true);
  });

  it('a plan change whose record cannot be stored leaves the plan and retention as they were', async () => {
    const before = defaultOrg();
    failRecordOf('settings.organization_updated');
    await expect(adminOf(stores).setPlan('default', 'free')).rejects.toThrow(/injected/);
    expect(defaultOrg()).toEqual(before);
  });

  it('a plan change that cannot be stored leaves no record of it', async () => {
    const recordsBefore = recordsOf('settings.organization_updated');
    failChangeOf('organizations', 'UPDATE');
    await expect(adminOf(stores).setPlan('default', 'free')).rejects.toThrow(/injected/);
    expect(recordsOf('settings.organization_updated')).toBe(recordsBefore);
  });

  it('turning access logging on without its record being stored leaves it off', async () => {
    const before = defaultOrg();
    failRecordOf('settings.organization_updated');
    await expect(adminOf(stores).setAccessLogging('default', !before?.accessLogging)).rejects.toThrow(
      /injected/,
    );
    expect(defaultOrg()).toEqual(before);
  });

  it('a user whose addition record cannot be stored is not added', async () => {
    failRecordOf('team.member_added');
    await expect(
      adminOf(stores).addUser('default', { email: 'ghost@example.com', role: 'admin' }),
    ).rejects.toThrow(/injected/);
    expect(stores.directory.findUserByEmail(defaultOrg()?.id ?? 0, 'ghost@example.com')).toBeUndefined();
  });

  describe('the retention purge', () => {
    const old = new Date(Date.now() - 40 * DAY_MS).toISOString();
    const oldEvents = () => count("SELECT count(*) FROM events WHERE action = 'tunnel.created'");

    beforeEach(async () => {
      await fixture.ingest([
        { action: 'tunnel.created', timestamp: old },
        { action: 'tunnel.created', timestamp: old },
      ]);
      await adminOf(stores).setPlan('default', 'free');
    });

    it('keeps the expired events when the record of their purge cannot be stored', async () => {
      failRecordOf('audit.retention_purged');
      await expect(purgeExpiredEvents(engineOf(stores), Date.now())).rejects.toThrow(/injected/);
      expect(oldEvents()).toBe(2);
    });

    it('records no purge when the events cannot be deleted', async () => {
      failChangeOf('events', 'DELETE');
      await expect(purgeExpiredEvents(engineOf(stores), Date.now())).rejects.toThrow(/injected/);
      expect(recordsOf('audit.retention_purged')).toBe(0);
      expect(oldEvents()).toBe(2);
    });

    it('purges and records together when nothing fails', async () => {
      expect(await purgeExpiredEvents(engineOf(stores), Date.now())).toBe(2);
      expect(oldEvents()).toBe(0);
      expect(recordsOf('audit.retention_purged')).toBe(1);
    });
  });

  describe('GDPR erasure', () => {
    const erase = () =>
      fixture.request({
        method: 'POST',
        url: '/api/v1/organizations/default/gdpr/erasures',
        payload: { user: 'mia@example.com' },
      });
    const miaEvents = () => count("SELECT count(*) FROM events WHERE actor_email = 'mia@example.com'");

    beforeEach(async () => {
      await fixture.ingest([
        { action: 'user.login', actor: { email: 'mia@example.com', name: 'Mia Member' } },
      ]);
    });

    it("keeps the person's data when the record of the erasure cannot be stored", async () => {
      failRecordOf('gdpr.user_erased');
      const response = await erase();
      expect(response.statusCode).toBeGreaterThanOrEqual(500);
      expect(miaEvents()).toBe(1);
      expect(count("SELECT count(*) FROM users WHERE email = 'mia@example.com'")).toBe(1);
    });

    it('records no erasure when the events cannot be rewritten', async () => {
      failChangeOf('events', 'UPDATE');
      const response = await erase();
      expect(response.statusCode).toBeGreaterThanOrEqual(500);
      expect(recordsOf('gdpr.user_erased')).toBe(0);
      expect(miaEvents()).toBe(1);
    });
  });
});
