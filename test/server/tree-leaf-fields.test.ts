import { afterEach, describe, expect, it } from 'vitest';
import type { LeafRow } from '../../src/client/tree.js';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { leafFields } from '../../src/domain/merkle/leaf.js';
import { checkLeafFields, committedFields } from '../../src/verify/leaf-fields.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Events whose every field a sender chose to make awkward for a second encoder. */
const HOSTILE: EventInput[] = [
  {
    action: 'user.login',
    actor: { id: 'u\u00e9\u0301\u{1F600}', name: 'Ma\u2028ry "Q" \\ O\u2029Brien', email: 'x@example.com' },
    description: '\u202Eevil\u202C \t\n\r\u0001 <script>',
    metadata: {
      // Integers past 2^53 (1e21 among them) are refused at ingest: as strings they must stay text.
      z: '1e21',
      big: '123456789012345678901234567890',
      a: 0.1,
      'key "quoted"\\': -0,
      '\u{1F600}': [9007199254740991, 1e-7, -1.5e-300, 5e-324, 100, 1.25],
      é: { nested: { deeper: [null, true, false, '', {}] } },
      '\u0000\u001f': 'control',
      B: 'upper before lower',
    },
    changes: { role: { old: 'member', new: 'admin' }, '': '' },
  },
  { action: 'user.logout', timestamp: '2001-02-03T04:05:06.007Z', description: '' },
  {
    action: 'x.y',
    timestamp: '1970-01-01T00:00:00.000Z',
    target: { type: 'doc', id: '', name: '' },
    context: { ip_address: '203.0.113.9', user_agent: '', team_id: 't', team_name: '\u0000' },
    metadata: {},
  },
  { action: 'x.z', timestamp: '1999-12-31T23:59:59.999Z', metadata: { list: [], s: '\uD83D\uDE00' } },
];

describe('the leaves route builds in SQL the fields a leaf committed to', () => {
  it('holds the SQL-built 18 fields equal to leafFields of the event for unicode, empty, nested and awkward numbers', async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1 });
    const f = fixture;
    const stored = await f.ingest(HOSTILE);
    await f.app.services.sealer.settle();
    const size = (await f.request({ method: 'GET', url: `${BASE}/tree` })).json().data.sealed_size;
    const rows = (await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${size}` })).json()
      .data as LeafRow[];
    expect(stored).toHaveLength(HOSTILE.length);
    for (const { id } of stored) {
      const row = rows.find((candidate) => candidate[2] === id) as LeafRow;
      const event = (await f.request({ method: 'GET', url: `${BASE}/${id}` })).json().data as AuditEvent;
      const [, , , timestamp, , commitment, salt, fields] = row;
      expect(timestamp).toBe(event.timestamp);
      expect(committedFields(fields ?? [])?.fields).toEqual(leafFields(event));
      // And what the sealer committed to is what the checker rebuilds.
      expect(
        checkLeafFields(fields ?? [], Buffer.from(salt ?? '', 'hex'), Buffer.from(commitment, 'hex')).matches,
      ).toBe(true);
    }
  });
});

describe('an event any sender can make', () => {
  it('threat: one event holding half a surrogate pair stops the tree of every organization — it is sealed like any other', async () => {
    fixture = await createFixture({ checkpointIntervalMs: 1 });
    const f = fixture;
    const [lone] = await f.ingest(
      [{ action: 'user.login', description: 'x\ud800', metadata: { k: '\udc00', '\ud83d': 1 } }],
      f.tokens.ingest,
    );
    const other = await f.request({
      method: 'POST',
      url: '/api/v1/organizations/other/audit-logs',
      token: f.tokens.otherOrg,
      payload: { events: [{ action: 'user.login' }] },
    });
    expect(other.statusCode).toBe(201);
    await f.app.services.sealer.settle();
    expect(await f.app.services.engine.stores.sealing.behind()).toBe(0);
    const tree = (await f.request({ method: 'GET', url: `${BASE}/tree` })).json().data;
    const rows = (
      await f.request({ method: 'GET', url: `${BASE}/tree/leaves?start=0&end=${tree.sealed_size}` })
    ).json().data as LeafRow[];
    const row = rows.find((candidate) => candidate[2] === lone?.id) as LeafRow;
    const event = (await f.request({ method: 'GET', url: `${BASE}/${lone?.id}` })).json().data as AuditEvent;
    const [, , , , , commitment, salt, fields] = row;
    expect(committedFields(fields ?? [])?.fields).toEqual(leafFields(event));
    expect(
      checkLeafFields(fields ?? [], Buffer.from(salt ?? '', 'hex'), Buffer.from(commitment, 'hex')).matches,
    ).toBe(true);
  });
});

describe('fields that cannot be what was sealed', () => {
  const fields = (changes: unknown, metadata: unknown) => [...Array(16).fill(''), changes, metadata];

  it('a column edited to a number (not text) is not taken for the empty string it would print as', () => {
    expect(committedFields(fields('', 5))).toBeUndefined();
  });

  it('metadata text that does not parse as JSON is a changed event, not a crash', () => {
    expect(committedFields(fields('', '{"a":'))).toBeUndefined();
  });

  it('JSON null stored as text commits like a missing value, as leafFields writes it', () => {
    expect(committedFields(fields('null', '{"b":1,"a":2}'))?.fields.slice(16)).toEqual(['', '{"a":2,"b":1}']);
  });
});
