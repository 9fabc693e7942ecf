import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { SYSTEM_ACTOR } from '../../src/server/server-actor.js';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const GDPR = '/api/v1/organizations/default/gdpr';
const LOGS = '/api/v1/organizations/default/audit-logs';

// Unusual strings, so a hit in the database files can only be the subject's data.
const EMAIL = 'yolanda.brixworth@example.com';
const NAME = 'Yolanda Brixworth';
const IP = '192.0.2.201';
const AGENT = 'BrixworthAgent/7.3';

/** Every spelling of the subject's data that must not survive an erasure, as raw bytes. */
const NEEDLES = [
  EMAIL,
  EMAIL.toUpperCase(),
  'Yolanda.Brixworth@Example.com',
  encodeURIComponent(EMAIL),
  NAME,
  NAME.toLowerCase(),
  'brixworth',
  'BRIXWORTH',
  'Brixworth',
  IP,
  AGENT,
].map((text) => Buffer.from(text));

function residue(dir: string): string[] {
  const hits: string[] = [];
  for (const file of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, file));
    for (const needle of NEEDLES) if (bytes.includes(needle)) hits.push(`${needle} in ${file}`);
    // UTF-16 copies would hide from a UTF-8 grep.
    if (bytes.includes(Buffer.from('brixworth', 'utf16le'))) hits.push(`utf16 in ${file}`);
  }
  return hits;
}

describe('GDPR erasure reaches every copy of the person and nobody else', () => {
  let fixture: Fixture;
  const post = (path: string, payload: object) =>
    fixture.request({ method: 'POST', url: `${GDPR}/${path}`, payload });
  const allEvents = async () =>
    (await fixture.request({ method: 'GET', url: `${LOGS}?per_page=1000` })).json().data as AuditEvent[];

  beforeEach(async () => {
    fixture = await createFixture();
  });
  afterEach(() => fixture.close());

  it('leaves no spelling of the name, email, IP or user agent in any file of the database directory', async () => {
    const admin = adminOf(createStores(fixture.db), SYSTEM_ACTOR);
    const { user } = await admin.addUser('default', {
      email: EMAIL,
      name: NAME,
      role: 'member',
      team: `${NAME}'s team`,
    });
    await admin.createToken('default', EMAIL, 'read', `laptop of ${EMAIL}`);
    await fixture.ingest([
      {
        action: 'user.login',
        actor: { id: user.publicId, name: NAME, email: EMAIL, type: 'user' },
        context: { ip_address: IP, user_agent: AGENT },
      },
      {
        action: 'incident.escalated',
        actor: { id: 'user_ops', name: 'Otto Ops', email: 'otto@example.com', type: 'user' },
        description: `escalated by ${NAME} from ${IP} using ${AGENT}`,
        target: { type: 'incident', id: 'inc_1', name: `Page ${EMAIL.toUpperCase()}` },
        context: { team_id: 'team_x', team_name: `Team ${NAME}` },
        metadata: {
          [EMAIL]: 'a metadata key',
          link: `https://crm.example.net/?who=${encodeURIComponent(EMAIL)}&ip=${IP}`,
          spaced: ` ${EMAIL.replace('@', '\u200b@')}\u00a0`,
          wide: 'ｙｏｌａｎｄａ.ｂｒｉｘｗｏｒｔｈ@example.com',
          nested: [{ by: `${NAME.toUpperCase()}` }],
        },
        changes: { owner: { old: NAME, new: 'Otto Ops' } },
      },
    ]);
    fixture.db
      .prepare(
        `INSERT INTO webhooks (public_id, org_id, url, format, secret, description, created_at, updated_at)
         VALUES ('wh_1', 1, 'https://hooks.example.net/x', 'json', 's', ?, 0, 0)`,
      )
      .run(`alerts for ${NAME}`);
    fixture.db
      .prepare(
        `INSERT INTO webhook_deliveries (webhook_id, event_seq, status, last_error, created_at)
         VALUES (1, (SELECT max(seq) FROM events), 'failed', ?, 0)`,
      )
      .run(`400 unknown user ${EMAIL}`);
    expect(residue(fixture.dir).length).toBeGreaterThan(0);

    const erased = await post('erasures', { user: EMAIL });
    expect(erased.statusCode).toBe(200);
    const { pseudonym } = erased.json().data;
    const escalated = (await allEvents()).find((event) => event.action === 'incident.escalated');
    expect(escalated?.description).toBe(`escalated by ${pseudonym} from ${pseudonym} using ${pseudonym}`);
    expect(escalated?.actor).toMatchObject({ name: 'Otto Ops', email: 'otto@example.com' });

    // Restart: close, open again (as `audit server start` does), close; then read every file.
    await fixture.app.close();
    fixture.db.close();
    openDatabase(fixture.dbFile).close();
    expect(residue(fixture.dir)).toEqual([]);
  });

  it('finds a person named with stray spaces, zero-width characters, compatibility forms or capitals', async () => {
    await fixture.ingest([
      { action: 'user.login', actor: { id: 'user_bob', email: 'bob@example.com', type: 'user' } },
      { action: 'user.login', actor: { id: 'user_bob', email: 'bob@example.com', type: 'user' } },
    ]);
    const spellings = [
      ' bob@example.com',
      '\u00a0bob@example.com\u200b',
      'BOB@EXAMPLE.COM',
      'ｂｏｂ@example.com',
    ];
    for (const user of spellings) {
      const dry = (await post('erasures', { user, dry_run: true })).json().data;
      expect(dry.events_changed, JSON.stringify(user)).toBe(2);
    }
    // Each export is recorded naming the person as asked, so count the logins only.
    for (const user of spellings) {
      const exported = (await post('exports', { user })).json().data as AuditEvent[];
      expect(exported.filter((event) => event.action === 'user.login').length, JSON.stringify(user)).toBe(2);
    }
  });

  it('matches names as whole words: erasing Dan leaves Jordan Smith and a dandelion alone', async () => {
    const admin = adminOf(createStores(fixture.db), SYSTEM_ACTOR);
    const { user } = await admin.addUser('default', {
      email: 'dan@example.com',
      name: 'Dan',
      role: 'member',
    });
    const jordan = {
      action: 'user.login',
      actor: { id: 'user_jordan', name: 'Jordan Smith', email: 'jordan@example.com', type: 'user' as const },
      context: { ip_address: '203.0.113.77', user_agent: 'JordanBrowser/2' },
      description: 'Dandelion report approved by Dan.',
      metadata: { flower: 'Dandelion', reviewer: 'Dan' },
    };
    await fixture.ingest([
      jordan,
      {
        action: 'user.login',
        actor: { id: user.publicId, name: 'Dan', email: 'dan@example.com', type: 'user' },
      },
    ]);
    const { pseudonym } = (await post('erasures', { user: 'dan@example.com' })).json().data;
    const after = (await allEvents()).find((event) => event.actor?.id === 'user_jordan');
    expect(after?.actor).toEqual(jordan.actor);
    expect(after?.context).toMatchObject(jordan.context);
    expect(after?.description).toBe(`Dandelion report approved by ${pseudonym}.`);
    expect(after?.metadata).toEqual({ flower: 'Dandelion', reviewer: pseudonym });
  });
});
