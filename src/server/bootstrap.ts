import { userInfo } from 'node:os';
import type { Engine } from '../store/port.js';
import { createAdmin, DEFAULT_ORGANIZATION } from './admin.js';
import { SYSTEM_ACTOR } from './server-actor.js';

export interface Bootstrap {
  organization: string;
  ownerEmail: string;
  token: string;
}

/**
 * First start on an empty database: the `default` organization, an owner and the owner's token,
 * so that everything works on a laptop with no further step. Returns undefined otherwise.
 */
export async function bootstrapIfEmpty(engine: Engine): Promise<Bootstrap | undefined> {
  if ((await engine.stores.directory.listOrganizations()).length > 0) return undefined;
  const admin = createAdmin(engine, SYSTEM_ACTOR);
  const login = localUserName();
  const ownerEmail = `${login}@localhost`;
  await admin.addUser(DEFAULT_ORGANIZATION, { email: ownerEmail, name: login, role: 'owner' });
  const { token } = await admin.createToken(
    DEFAULT_ORGANIZATION,
    ownerEmail,
    'read',
    'first-start owner token',
  );
  return { organization: DEFAULT_ORGANIZATION, ownerEmail, token };
}

function localUserName(): string {
  try {
    const name = userInfo().username.replace(/[^A-Za-z0-9._-]/g, '');
    return name || 'owner';
  } catch {
    return 'owner';
  }
}
