import { userInfo } from 'node:os';
import type { Actor } from '../domain/event.js';
import type { User } from '../store/directory-store.js';

/** The actor of events the server records about itself. */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'audit server', email: null, type: 'system' };

/** The person running an `audit server …` admin command on this machine. */
export function localAdministrator(): Actor {
  let name = 'local administrator';
  try {
    name = `${userInfo().username} (local administrator)`;
  } catch {
    // No passwd entry (some containers): the generic name will do.
  }
  return { id: 'local-admin', name, email: null, type: 'system' };
}

export function userActor(user: User): Actor {
  return { id: user.publicId, name: user.name, email: user.email, type: 'user' };
}
