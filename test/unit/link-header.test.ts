import { describe, expect, it } from 'vitest';
import { nextCursorOfLink } from '../../src/client/link-header.js';

describe('nextCursorOfLink', () => {
  it('reads the cursor of the rel="next" link', () => {
    expect(
      nextCursorOfLink(
        '</api/v1/organizations/acme/audit-logs?order=asc&per_page=1000&cursor=eyJ0IjoxfQ>; rel="next"',
      ),
    ).toBe('eyJ0IjoxfQ');
  });

  it('decodes the cursor and picks the next link among others, in one header or several', () => {
    const next = '</audit-logs?cursor=a%2Bb%3D>; rel="next"';
    expect(nextCursorOfLink(`</audit-logs?cursor=zzz>; rel="prev", ${next}`)).toBe('a+b=');
    expect(nextCursorOfLink(['</audit-logs?cursor=zzz>; rel="prev"', next])).toBe('a+b=');
  });

  it('has nothing for no header, a next link without a cursor (polling with after=), or garbage', () => {
    expect(nextCursorOfLink(undefined)).toBeUndefined();
    expect(nextCursorOfLink('</audit-logs?after=log_1>; rel="next"')).toBeUndefined();
    expect(nextCursorOfLink('not a link')).toBeUndefined();
  });
});
