import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createStores, type Stores } from '../../src/store/stores.js';

// The list API sends pages as JSON text made by SQLite (EVENT_JSON); everything else reads rows
// into objects (rowToEvent). The two must be the same event, to the byte: the same keys in the
// same order, the same escapes, the same times.
describe('EVENT_JSON, the JSON SQLite makes of a stored event', () => {
  let dir: string;
  let db: Db;
  let stores: Stores;
  let orgId: number;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-event-json-'));
    db = openDatabase(join(dir, 'audit.db'));
    stores = createStores(db);
    orgId = stores.directory.ensureOrganization('default').organization.id;
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Stores the events, then reads the newest `count` both ways. */
  const bothWays = (inputs: EventInput[]) => {
    stores.recorder.record(orgId, inputs);
    const request = { order: 'desc', limit: inputs.length } as const;
    const scope = { kind: 'organization' } as const;
    const objects = stores.events.page(orgId, { detailed: true }, scope, request).events.map((s) => s.event);
    const texts = stores.events.pageJson(orgId, { detailed: true }, scope, request).events;
    return { objects, texts };
  };

  it('gives byte for byte what JSON.stringify gives of the event read as an object', () => {
    const inputs: EventInput[] = [
      { action: 'user.login' },
      { action: 'user.login', timestamp: '1970-01-01T00:00:00Z', actor: { id: 'u1' } },
      { action: 'user.login', timestamp: '2001-09-09T01:46:40.001Z', actor: { email: 'a@example.com' } },
      { action: 'user.login', timestamp: '2024-02-29T23:59:59.999+05:30', context: { team_name: 'Ops' } },
      {
        action: 'tunnel.deleted',
        description: 'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007 del \u007f',
        actor: { id: 'u2', name: 'Zoë 山田 👩‍💻', email: 'zoe@example.com', type: 'user' },
        target: { type: 'tunnel', id: 't1', name: '\u202eevil\u2028line\u2029' },
        context: { ip_address: '2001:db8::1', user_agent: 'curl/8', team_id: 'team_1', team_name: 'Ops' },
        changes: { role: { old: 'member', new: 'admin' }, list: [1, 'two', null, true, { deep: [] }] },
        metadata: { big: 1e21, small: 1e-7, neg: -0.5, int: 9007199254740991, empty: {}, text: '\u001b[31m' },
      },
    ];
    const { objects, texts } = bothWays(inputs);
    expect(texts).toHaveLength(inputs.length);
    for (const [index, text] of texts.entries()) expect(text).toBe(JSON.stringify(objects[index]));
  });

  it('agrees with the object reading for any event a sender may post', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
    const event = fc.record(
      {
        action: fc.constantFrom('user.login', 'tunnel.deleted', 'billing.plan_changed'),
        timestamp: fc
          .integer({ min: 0, max: Date.parse('2026-01-01T00:00:00Z') })
          .map((ms) => new Date(ms).toISOString()),
        description: text,
        actor: optional(fc.record({ id: optional(text), name: optional(text), email: optional(text) })),
        target: optional(fc.record({ type: optional(text), id: optional(text), name: optional(text) })),
        context: optional(fc.record({ ip_address: optional(text), team_name: optional(text) })),
        metadata: optional(fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })),
      },
      { requiredKeys: ['action'] },
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 20 }), (inputs) => {
        const { objects, texts } = bothWays(inputs as EventInput[]);
        for (const [index, json] of texts.entries()) expect(json).toBe(JSON.stringify(objects[index]));
      }),
      { numRuns: 150, seed: 0x150 },
    );
  });
});
