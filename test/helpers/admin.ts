import type { Actor } from '../../src/domain/event.js';
import { createAdmin } from '../../src/server/admin.js';
import { createSqliteEngine } from '../../src/store/sqlite-engine.js';
import type { Stores } from '../../src/store/stores.js';
import { createWriteGate } from '../../src/store/write-gate.js';

/** The admin operations over these stores, through an engine of their own (as `audit server …` runs them). */
export function adminOf(stores: Stores, actor?: Actor) {
  return createAdmin(createSqliteEngine(stores, createWriteGate(stores.db)), actor);
}

/** An engine over these stores, as the server's is over its own. */
export function engineOf(stores: Stores) {
  return createSqliteEngine(stores, createWriteGate(stores.db));
}
