import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isSealed, serverSecret } from '../../src/store/secret-box.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import { type Receiver, settle, startReceiver } from '../helpers/webhook-receiver.js';

const BASE = '/api/v1/organizations/default/webhooks';
const SECRET = 'whsec_canary-signing-secret-4f1d9a7c';
const URL_TOKEN = 'canaryUrlCredential8b2e';

/** Every byte of the database files: main and WAL. */
function databaseBytes(fixture: Fixture): Buffer[] {
  return [fixture.dbFile, `${fixture.dbFile}-wal`].filter(existsSync).map((file) => readFileSync(file));
}

function expectNotInFiles(fixture: Fixture, needles: string[]) {
  for (const bytes of databaseBytes(fixture)) {
    for (const needle of needles) {
      expect(bytes.includes(Buffer.from(needle)), `${needle.slice(0, 16)}… in the database files`).toBe(
        false,
      );
    }
  }
}

describe('webhook secrets and the pseudonym key at rest', () => {
  let fixture: Fixture;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await fixture.close();
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  it('a copy of the database files does not hold a webhook secret or the pseudonym key in the clear', async () => {
    fixture = await createFixture({ webhookAllowPrivate: true });
    const stored = fixture.db
      .prepare("SELECT value FROM server_settings WHERE key = 'pseudonym_secret'")
      .pluck()
      .get() as string;
    const pseudonymKey = isSealed(stored) ? serverSecret(fixture.db, 'pseudonym_secret') : stored;
    expect(pseudonymKey).toMatch(/^[0-9a-f]{64}$/);
    const created = await fixture.request({
      method: 'POST',
      url: BASE,
      payload: { url: 'https://hooks.example.com/audit', actions: 'nothing.matches', secret: SECRET },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().secret).toBe(SECRET);
    fixture.db.pragma('wal_checkpoint(PASSIVE)');
    expectNotInFiles(fixture, [SECRET, SECRET.slice(6, 30), pseudonymKey, pseudonymKey.slice(0, 24)]);
    // The key that opens them is beside the database, readable by its owner only.
    const keyFile = `${fixture.dbFile}.key`;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('a deleted webhook leaves neither its URL nor its secret in the database files', async () => {
    fixture = await createFixture({ webhookAllowPrivate: true, webhookRetryBaseMs: 60_000 });
    const receiver = await startReceiver(() => ({ status: 500 }));
    receivers.push(receiver);
    const url = `${receiver.url}/${URL_TOKEN}`;
    const created = await fixture.request({
      method: 'POST',
      url: BASE,
      payload: { url, actions: 'user.*', secret: SECRET },
    });
    const { id } = created.json().data;
    // A delivery tried once and still pending when the webhook goes.
    await fixture.ingest([{ action: 'user.login' }]);
    await receiver.waitFor(1);
    await settle(100);
    expect((await fixture.request({ method: 'DELETE', url: `${BASE}/${id}` })).statusCode).toBe(204);
    // As the server's own quiet-time checkpoint would.
    fixture.db.pragma('wal_checkpoint(PASSIVE)');
    expectNotInFiles(fixture, [URL_TOKEN, SECRET, SECRET.slice(6, 30)]);
    const row = fixture.db.prepare('SELECT url, secret FROM webhooks').get();
    expect(row).toEqual({ url: new URL(receiver.url).origin, secret: '' });
  });

  it('a webhook URL replaced by a new one does not linger in the database files', async () => {
    fixture = await createFixture();
    const created = await fixture.request({
      method: 'POST',
      url: BASE,
      payload: { url: `https://hooks.slack.com/services/T0/B0/${URL_TOKEN}`, actions: 'nothing.matches' },
    });
    const { id } = created.json().data;
    const moved = await fixture.request({
      method: 'PATCH',
      url: `${BASE}/${id}`,
      payload: { url: 'https://hooks.slack.com/services/T0/B0/rotatedToken' },
    });
    expect(moved.statusCode).toBe(200);
    fixture.db.pragma('wal_checkpoint(PASSIVE)');
    expectNotInFiles(fixture, [URL_TOKEN]);
  });
});
