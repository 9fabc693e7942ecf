import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs';
const NOT_DECIMAL = [
  'Infinity',
  '1e309',
  '0x10',
  '-0',
  '1_000',
  '1e2',
  '%205',
  '5%20',
  '0b11',
  '9'.repeat(400),
];

describe('numeric parameters and costly queries', () => {
  let fixture: Fixture;
  let webhookId: string;
  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1000 });
    await fixture.ingest([{ action: 'user.login', metadata: { reason: 'alpha beta gamma' } }]);
    const webhook = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/default/webhooks',
      payload: { url: 'https://receiver.example.com/hook', actions: ['nothing.matches'] },
    });
    webhookId = webhook.json().data.id;
  });
  afterAll(() => fixture.close());

  const get = (url: string) => fixture.request({ method: 'GET', url });

  it.each(NOT_DECIMAL)(
    'a number that is not plain decimal digits (%s) is a 400 naming it, never a 500',
    async (value) => {
      for (const [url, param] of [
        [`${URL}?per_page=${value}`, 'per_page'],
        [`${URL}?page=${value}`, 'page'],
        [`/api/organization/audit-logs?per_page=${value}`, 'per_page'],
        [`/api/v1/organizations/default/webhooks/${webhookId}/deliveries?per_page=${value}`, 'per_page'],
      ] as const) {
        const response = await get(url);
        expect(response.statusCode, url).toBe(400);
        expect(response.json()).toMatchObject({ status: 400, param });
      }
    },
  );

  it('still takes plain decimal numbers', async () => {
    expect((await get(`${URL}?per_page=10&page=1`)).statusCode).toBe(200);
    expect((await get(`${URL}?per_page=010`)).json().pagination.per_page).toBe(10);
  });

  it.each([
    ['"16"', 'a string'],
    ['1e309', 'infinite'],
    ['1e300', 'beyond a safe integer'],
    ['1.5', 'a fraction'],
  ])('a numeric body field given as %s (%s) is a 400', async (count) => {
    const response = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/default/exports',
      payload: `{"kind":"export","format":"csv","count":${count}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().param).toBe('count');
  });

  it('refuses a search of more than 16 words, in lists and streams', async () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join('%20');
    const list = await get(`${URL}?q=${words(17)}`);
    expect(list.statusCode).toBe(400);
    expect(list.json()).toMatchObject({ param: 'q' });
    expect(list.json().detail).toContain('16 words');
    expect((await get(`${URL}?q=${words(16)}`)).statusCode).toBe(200);
    const stream = await fixture.app.inject({
      method: 'GET',
      url: `${URL}/stream?q=${words(17)}`,
      headers: { authorization: `Bearer ${fixture.tokens.owner}` },
    });
    expect(stream.statusCode).toBe(400);
  });

  it('refuses a list filter of more than 100 values (each count once made a query text of its own)', async () => {
    const actions = (n: number) => Array.from({ length: n }, (_, i) => `user.a${i}`).join(',');
    const over = await get(`${URL}?action=${actions(101)}`);
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ param: 'action' });
    expect((await get(`${URL}?action=${actions(100)}`)).statusCode).toBe(200);
  });

  it('holds a repeated filter parameter to the same 100 values as a comma list (the limit does not drift between spellings)', async () => {
    const repeated = (n: number) => Array.from({ length: n }, (_, i) => `action=user.a${i}`).join('&');
    expect((await get(`${URL}?${repeated(100)}`)).statusCode).toBe(200);
    const over = await get(`${URL}?${repeated(101)}`);
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ param: 'action' });
  });

  it('weighs a search by its words in the rate limit, and tells so truthfully', async () => {
    const remaining = async (url: string) => Number((await get(url)).headers['ratelimit-remaining']);
    const start = await remaining(`${URL}?per_page=1`);
    expect(await remaining(`${URL}?q=alpha`)).toBe(start - 2);
    expect(
      await remaining(`${URL}?q=alpha%20beta%20gamma%20a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m`),
    ).toBe(start - 2 - 5);
    expect(await remaining(`${URL}?per_page=1`)).toBe(start - 8);
  });
});
