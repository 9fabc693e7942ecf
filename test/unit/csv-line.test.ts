import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { csvLine } from '../../src/format/csv.js';

// The export's CSV line is built by hand for speed (src/format/csv.ts). The oracle here is
// the obvious way: every cell neutralized as OWASP says (and a leading ' doubled), then csv-stringify, row by row.
function expectedLine(event: AuditEvent): string {
  // A leading apostrophe is doubled too, so that import can undo the neutralization exactly.
  const neutral = (cell: string) => (/^[=+\-@\t\r']/.test(cell) ? `'${cell}` : cell);
  const text = (value: string | null | undefined) => neutral(value ?? '');
  const json = (value: object | null) => (value === null ? '' : neutral(JSON.stringify(value)));
  const { actor, target, context } = event;
  return stringify([
    [
      text(event.id),
      text(event.timestamp),
      text(event.category),
      text(event.action),
      text(event.description),
      text(actor?.id),
      text(actor?.name),
      text(actor?.email),
      text(actor?.type),
      text(target?.type),
      text(target?.id),
      text(target?.name),
      text(context?.ip_address),
      text(context?.user_agent),
      text(context?.team_id),
      text(context?.team_name),
      json(event.changes),
      json(event.metadata),
    ],
  ]);
}

describe('csvLine', () => {
  it('writes what csv-stringify writes of the neutralized cells, for any event', () => {
    // Cells made mostly of the characters that matter: quotes, commas, CR, LF, formula starts.
    const cell = fc.string({
      unit: fc.constantFrom('"', ',', '\r', '\n', '=', '+', '-', '@', '\t', "'", 'a', ' ', 'é'),
    });
    const nullable = fc.option(cell, { nil: null });
    const event = fc.record({
      id: cell,
      timestamp: cell,
      category: cell,
      action: cell,
      description: nullable,
      actor: fc.option(fc.record({ id: nullable, name: nullable, email: nullable, type: nullable }), {
        nil: null,
      }),
      target: fc.option(fc.record({ type: nullable, id: nullable, name: nullable }), { nil: null }),
      context: fc.option(
        fc.record({ ip_address: nullable, user_agent: nullable, team_id: nullable, team_name: nullable }),
        { nil: null },
      ),
      changes: fc.option(fc.dictionary(cell, cell, { maxKeys: 3 }), { nil: null }),
      metadata: fc.option(fc.dictionary(cell, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), { nil: null }),
    });
    fc.assert(
      fc.property(event, (generated) => {
        const audit = generated as unknown as AuditEvent;
        expect(csvLine(audit, false)).toBe(expectedLine(audit));
      }),
      { numRuns: 3000, seed: 0xc5f },
    );
  });

  it('quotes a text cell with a comma even when no JSON cell needs quotes', () => {
    const event = {
      id: 'log_1',
      timestamp: '2024-01-15T14:32:18.123Z',
      category: 'auth',
      action: 'user.login',
      description: 'Chen, Alice logged in',
      actor: null,
      target: null,
      context: null,
      changes: null,
      metadata: null,
    } as AuditEvent;
    expect(csvLine(event, false)).toBe(
      'log_1,2024-01-15T14:32:18.123Z,auth,user.login,"Chen, Alice logged in",,,,,,,,,,,,,\n',
    );
  });
});
