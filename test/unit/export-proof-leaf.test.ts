import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { eventLeafHash, leafFields } from '../../src/domain/merkle/leaf.js';
import { rowLeafHash } from '../../src/export/proof/row-leaf.js';
import { logEvent } from '../helpers/range-proof-fixture.js';

// Text that canonical JSON must escape or keep exactly: controls, quotes, backslashes, bidi,
// astral characters (a surrogate pair), U+2028, and key orders a generic sort would change.
const NASTY = [
  '',
  '"\\',
  '\u0000\u001f\u007f',
  '\u202e\u2066',
  '😀 ü',
  '\u2028\u2029',
  '</script>',
  'a\r\nb',
];

function nastyEvent(n: number): AuditEvent {
  const text = NASTY[n % NASTY.length] as string;
  const event = logEvent(n, new Date(Date.UTC(2024, 0, 1) + n).toISOString());
  return {
    ...event,
    id: `${event.id}${text}`,
    action: `x.${text}`,
    description: n % 2 ? text : null,
    actor: n % 3 ? null : { id: text, name: null, email: text, type: 'system' },
    metadata: { [text]: text, z: [text, n, null, true, 1e-7], A: { [`k${text}`]: 1 } },
  };
}

describe('the fast leaf hash of a check', () => {
  it('is byte-equal to the domain leaf hash for hostile text, any category, missing parts', () => {
    for (let n = 0; n < 200; n++) {
      const event = nastyEvent(n);
      const salt = randomBytes(32);
      expect(rowLeafHash(leafFields(event), salt).toString('hex'), `event ${n}`).toBe(
        eventLeafHash(event, salt).toString('hex'),
      );
    }
  });

  it('hashes half a surrogate pair as the domain does (the escape \\udXXX)', () => {
    const event = { ...logEvent(1, '2024-01-01T00:00:00.000Z'), action: 'x.\ud800', description: '\udc00' };
    const salt = randomBytes(32);
    expect(rowLeafHash(leafFields(event), salt).toString('hex')).toBe(
      eventLeafHash(event, salt).toString('hex'),
    );
  });
});
