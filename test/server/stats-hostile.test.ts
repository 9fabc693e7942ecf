import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import type { StatsGroup } from '../../src/domain/stats.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs/stats';
const RANGE = 'from=2024-02-01&to=2024-02-29';

/** Every key of a stats answer is text an event's sender chose. */
const HOSTILE = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '{"__proto__":{"polluted":true}}',
  'null',
  '',
  'x'.repeat(100_000),
  '\u001b]52;c;cm0gLXJmIH4=\u0007', // OSC 52: write to the clipboard
  '\u001b[2J\u001b[31mred\r\n\u0000nul',
  'admin\u202e\u2066gpj.exe\u2069', // Trojan Source: bidirectional overrides
  '💥'.repeat(1000),
  '\ud83d', // a lone surrogate
];

describe('stats keys are attacker-controlled text', () => {
  let fixture: Fixture;
  const groups = async (query: string): Promise<StatsGroup[]> => {
    const response = await fixture.request({ method: 'GET', url: `${URL}?${query}&${RANGE}` });
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
    return response.json().data.groups;
  };

  beforeAll(async () => {
    fixture = await createFixture();
    const events: EventInput[] = HOSTILE.flatMap((text, index) =>
      Array.from({ length: index + 1 }, () => ({
        action: 'user.login',
        timestamp: `2024-02-${String(1 + (index % 28)).padStart(2, '0')}T12:00:00Z`,
        actor: { id: text, name: text },
        target: { type: 'document', id: text },
        context: { ip_address: text, team_name: text },
      })),
    );
    // Through the recorder, as an import would: longer than the ingest API's field limits.
    const { services } = fixture.app;
    services.sqlite.recorder.record(
      services.sqlite.directory.findOrganization('default')?.id as number,
      events,
    );
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it.each(['actor', 'ip', 'team', 'target'])(
    'prototype pollution, escape sequences, bidi overrides and 100,000-character keys by %s come back as data',
    async (dimension) => {
      const answer = await groups(`group_by=${dimension}`);
      const byKey = new Map(answer.map((group) => [group[dimension as 'actor'], group.count]));
      // An empty text is no value (null); a lone surrogate comes back as replacement characters,
      // as the list shows it (Node 20 stores its three bytes, which are not UTF-8, and reads three
      // U+FFFD; Node 24 stores one U+FFFD); every other text exactly.
      const replaced = [...byKey.keys()].find((key) => key != null && /^\ufffd{1,3}$/.test(key));
      expect(replaced, 'the lone surrogate as replacement characters').toBeDefined();
      HOSTILE.forEach((text, index) => {
        const stored = text === '' ? null : text === '\ud83d' ? replaced : text;
        expect(byKey.get(stored ?? null), JSON.stringify(stored?.slice(0, 40))).toBe(index + 1);
      });
      expect(answer).toHaveLength(HOSTILE.length);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(answer[0])).toBe(Object.prototype);
    },
  );

  it('with a time dimension and top, the hostile keys rank and bucket like any other', async () => {
    const answer = await groups('group_by=day,actor&top=3');
    const named = answer.filter((group) => group.count > 0 && !group.other);
    expect(named.map((group) => group.count).sort((a, b) => b - a)).toEqual([13, 12, 11]);
    expect(answer.filter((group) => group.other).reduce((sum, group) => sum + group.count, 0)).toBe(
      HOSTILE.reduce((sum, _text, index) => sum + index + 1, 0) - 36,
    );
  });
});
