import { afterEach, describe, expect, it } from 'vitest';
import { AdminError } from '../../src/server/admin.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { tempDir } from '../helpers/temp-dir.js';

let db: Db | undefined;
afterEach(() => db?.close());

describe('the commands the admin errors suggest', () => {
  it('an unknown user whose email holds shell syntax is suggested quoted, so pasting the hint runs no second command', async () => {
    db = openDatabase(`${tempDir('admin-hints')}/audit.db`);
    const admin = adminOf(createStores(db));
    await admin.addUser('default', { email: 'owner@example.com', role: 'owner' });
    const email = 'a;touch$(id)/tmp/pwned@example.com';
    let error: unknown;
    try {
      await admin.createToken('default', email, 'read');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AdminError);
    expect((error as Error).message).toContain(
      `add one with: audit server user add --email 'a;touch$(id)/tmp/pwned@example.com'`,
    );
  });
});
