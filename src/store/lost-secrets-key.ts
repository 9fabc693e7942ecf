import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { attachSecretsKey, sealSecret, settingLabel, webhookSecretLabel } from './secret-box.js';
import { createKeyFile } from './secrets-key-file.js';

/**
 * Starts over after the key file is lost for good, when the operator asks to: what it sealed
 * cannot be opened by anyone, so it is replaced. A new key; a new pseudonym key (an erasure from
 * now on gets a new pseudonym, also for a person erased before); and every live webhook a new
 * secret nobody knows, so its receiver rejects the signatures until the webhook is deleted and
 * created again with a secret it is told. Answers how many webhooks need that.
 */
export function replaceLostSecretsKey(db: Database.Database, keyFile: string, keyCheck: string): number {
  const key = createKeyFile(keyFile);
  attachSecretsKey(db, key);
  const webhooks = db
    .prepare<[], { id: number; public_id: string }>(
      'SELECT id, public_id FROM webhooks WHERE deleted_at IS NULL',
    )
    .all();
  const putSetting = db.prepare('INSERT OR REPLACE INTO server_settings (key, value) VALUES (?, ?)');
  const putSecret = db.prepare('UPDATE webhooks SET secret = ? WHERE id = ?');
  db.transaction(() => {
    const pseudonymKey = randomBytes(32).toString('hex');
    putSetting.run('pseudonym_secret', sealSecret(db, settingLabel('pseudonym_secret'), pseudonymKey));
    for (const { id, public_id } of webhooks) {
      const unknown = `whsec_${randomBytes(32).toString('base64url')}`;
      putSecret.run(sealSecret(db, webhookSecretLabel(public_id), unknown), id);
    }
    putSetting.run(keyCheck, sealSecret(db, settingLabel(keyCheck), 'audit secrets key'));
  }).immediate();
  return webhooks.length;
}
