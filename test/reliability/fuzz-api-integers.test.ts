import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import { BASES, type Operation, operationsOf } from './api-operations.js';

/** Numbers no strict decimal parser takes, for every integer parameter of the API. */
const NOT_DECIMAL_INTEGERS = [
  'Infinity',
  '-Infinity',
  '1e309',
  '0x10',
  '-0',
  '1_000',
  '9'.repeat(400),
  '1e2',
  '%205',
  '0b11',
  'NaN',
  '1.5',
  '+5',
  '-1',
];
/** Raw JSON for integer body fields: none is a safe whole JSON number. */
const NOT_SAFE_JSON_INTEGERS = [
  '1e309',
  '-1e309',
  '"0x10"',
  '"16"',
  '1e300',
  '9'.repeat(400),
  '1.5',
  '"Infinity"',
  '-1',
];

describe('fuzzing every integer parameter of the API with numbers that are not decimal digits', () => {
  let fixture: Fixture;
  let operations: Operation[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000_000 });
    const [event] = await fixture.ingest([{ action: 'user.login' }]);
    ids.event = event?.id as string;
    const webhook = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/default/webhooks',
      payload: { url: 'http://127.0.0.1:9/hook', actions: ['nothing.matches'] },
    });
    ids.webhook = webhook.json().data?.id;
    operations = operationsOf((await fixture.request({ method: 'GET', url: '/openapi.json' })).json());
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('answers 400 naming the parameter to every non-decimal number, for every integer parameter', async () => {
    const checked: string[] = [];
    for (const operation of operations) {
      const path = operation.path
        .replace('{org}', 'default')
        .replace('{id}', (operation.path.includes('webhooks') ? ids.webhook : ids.event) as string);
      const base = BASES[`${operation.method} ${operation.path}`] ?? {};
      for (const name of operation.integerQuery) {
        for (const value of NOT_DECIMAL_INTEGERS) {
          const response = await fixture.request({
            method: operation.method as InjectOptions['method'],
            url: `${path}?${name}=${value}`,
            payloadAsStream: operation.path.endsWith('/stream'),
            ...(operation.method === 'GET' ? {} : { payload: base }),
          });
          expect(response.statusCode, `${operation.method} ${path}?${name}=${value.slice(0, 20)}`).toBe(400);
          expect(response.json()).toMatchObject({ status: 400, param: name });
        }
        checked.push(`${operation.path}?${name}`);
      }
      for (const name of operation.integerBody) {
        for (const value of NOT_SAFE_JSON_INTEGERS) {
          const body = JSON.stringify({ ...base, [name]: '__VALUE__' }).replace('"__VALUE__"', value);
          const response = await fixture.request({
            method: operation.method as InjectOptions['method'],
            url: path,
            payload: body,
            headers: { 'content-type': 'application/json' },
          });
          expect(response.statusCode, `${operation.method} ${path} ${name}: ${value.slice(0, 20)}`).toBe(400);
          expect(response.json()).toMatchObject({ status: 400, param: name });
        }
        checked.push(`${operation.path} body.${name}`);
      }
    }
    // The parameters this API has today; a new one is covered by being declared an integer.
    expect(checked).toEqual(
      expect.arrayContaining([
        '/api/v1/organizations/{org}/audit-logs?per_page',
        '/api/v1/organizations/{org}/audit-logs?page',
        '/api/organization/audit-logs?per_page',
        '/api/v1/organizations/{org}/webhooks/{id}/deliveries?per_page',
        '/api/v1/organizations/{org}/exports body.count',
        '/api/v1/organizations/{org}/exports body.files',
      ]),
    );
  });
});
