import { userInfo } from 'node:os';
import type { Actor } from '../domain/event.js';
import {
  LOCAL_ADMINISTRATOR_ID,
  LOCAL_ADMINISTRATOR_SUFFIX,
  SERVER_ACTOR_ID,
  SERVER_ACTOR_NAME,
} from '../domain/server-records.js';
import type { User } from '../store/directory-store.js';

/** The actor of events the server records about itself (reserved: see domain/server-records). */
export const SYSTEM_ACTOR: Actor = {
  id: SERVER_ACTOR_ID,
  name: SERVER_ACTOR_NAME,
  email: null,
  type: 'system',
};

/** The person running an `audit server …` admin command on this machine. */
export function localAdministrator(): Actor {
  let name = 'local administrator';
  try {
    name = `${userInfo().username} ${LOCAL_ADMINISTRATOR_SUFFIX}`;
  } catch {
    // No passwd entry (some containers): the generic name will do.
  }
  return { id: LOCAL_ADMINISTRATOR_ID, name, email: null, type: 'system' };
}

export function userActor(user: User): Actor {
  return { id: user.publicId, name: user.name, email: user.email, type: 'user' };
}
