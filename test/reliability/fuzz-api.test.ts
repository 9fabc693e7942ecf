import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
import { BASES, type Operation, operationsOf } from './api-operations.js';
import { deeplyNested, encodeQueryComponent, hostileJson, hostileString, queryValue } from './hostile.js';

// Every operation of the OpenAPI document gets this many generated requests.
const RUNS_PER_OPERATION = 250;
const SEED = Number(process.env.AUDIT_FUZZ_SEED ?? 20_240_915);

interface GeneratedRequest {
  org: string;
  id: string;
  query: [string, string][];
  body: string | undefined;
  contentType: string;
}

const RAW_BODIES = [
  deeplyNested(10_000),
  deeplyNested(10_000, '[', ']'),
  `{"action":"user.login","metadata":${deeplyNested(5_000)}}`,
  `{"action":"user.login","changes":${deeplyNested(5_000, '[', ']')}}`,
  `{"events":[${Array.from({ length: 1001 }, () => '{"action":"user.login"}').join(',')}]}`,
  '{"events":[]}',
  '{"events":{}}',
  '{',
  '',
  'null',
  '[]',
  '"text"',
  '1e999',
  '{"__proto__":{"polluted":true},"action":"user.login"}',
  '{"constructor":{"prototype":{"polluted":true}},"action":"user.login"}',
  '{"action":"user.login","action":"user.logout"}',
  '\ufeff{"action":"user.login"}',
];

describe('fuzzing every endpoint with hostile input', () => {
  let fixture: Fixture;
  let operations: Operation[];
  const ids: Record<string, string> = {};
  const fiveHundreds: string[] = [];
  let tried = 0;

  beforeAll(async () => {
    fixture = await createFixture({
      rateLimitPerMinute: 1_000_000_000,
      webhookTimeoutMs: 500,
      webhookAllowPrivate: true,
    });
    const [event] = await fixture.ingest([{ action: 'user.login', actor: { email: 'fuzz@example.com' } }]);
    ids.event = event?.id as string;
    const webhook = await fixture.request({
      method: 'POST',
      url: '/api/v1/organizations/default/webhooks',
      payload: { url: 'http://127.0.0.1:9/hook', actions: ['nothing.matches'] },
    });
    ids.webhook = webhook.json().data?.id;
    const document = (await fixture.request({ method: 'GET', url: '/openapi.json' })).json();
    operations = operationsOf(document);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  const requestArbitrary = (operation: Operation) => {
    const known = operation.query.length > 0 ? fc.constantFrom(...operation.query) : fc.constant('unknown');
    const name = fc.oneof({ arbitrary: known, weight: 6 }, { arbitrary: hostileString, weight: 1 });
    const query = fc.array(fc.tuple(name, queryValue), { maxLength: 4 });
    const pathParam = (kind: string) =>
      fc.oneof(
        { arbitrary: fc.constant(kind === 'org' ? 'default' : (ids[kind] ?? 'x')), weight: 4 },
        { arbitrary: fc.constant('other'), weight: 1 },
        { arbitrary: hostileString.filter((text) => text.length > 0).map(encodeQueryComponent), weight: 2 },
      );
    const base = BASES[`${operation.method} ${operation.path}`] ?? {};
    const fields = [...operation.body, 'unknown_field', '__proto__'];
    const hasBody = operation.method === 'POST' || operation.method === 'PATCH';
    const body = !hasBody
      ? fc.constant(undefined)
      : fc.oneof(
          // One hostile field in an otherwise good body.
          fc
            .tuple(fc.constantFrom(...fields), hostileJson)
            .map(([field, value]) => JSON.stringify({ ...base, [field]: value })),
          // A hostile value inside a nested part (actor, context, metadata, ...).
          fc
            .tuple(fc.constantFrom(...Object.keys(base), 'unknown_part'), hostileString, hostileJson)
            .map(([field, key, value]) =>
              JSON.stringify({ ...base, [field]: { ...(base[field] as object), [key]: value } }),
            ),
          // Every field random.
          fc.dictionary(fc.constantFrom(...fields), hostileJson).map((value) => JSON.stringify(value)),
          // A batch with hostile members.
          fc.array(hostileJson, { maxLength: 3 }).map((events) => JSON.stringify({ events })),
          fc.constantFrom(...RAW_BODIES),
        );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json',
      'application/json',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
    );
    return fc.record({
      org: pathParam('org'),
      id: pathParam(operation.path.includes('webhooks') ? 'webhook' : 'event'),
      query,
      body,
      contentType,
    });
  };

  const send = async (operation: Operation, input: GeneratedRequest) => {
    const path = operation.path.replace('{org}', input.org).replace('{id}', input.id);
    const search = input.query.map(([key, value]) => `${encodeQueryComponent(key)}=${value}`).join('&');
    const options: InjectOptions = {
      method: operation.method as InjectOptions['method'],
      url: search ? `${path}?${search}` : path,
      headers: { authorization: `Bearer ${fixture.tokens.owner}` },
      // The stream answers with headers, then keeps the body open: read the status only.
      payloadAsStream: operation.path.endsWith('/stream'),
    };
    if (input.body !== undefined) {
      options.payload = input.body;
      (options.headers as Record<string, string>)['content-type'] = input.contentType;
    }
    const response: LightMyRequestResponse = await fixture.app.inject(options);
    if (options.payloadAsStream) response.stream().destroy();
    tried += 1;
    if (response.statusCode >= 500) {
      fiveHundreds.push(
        `${operation.method} ${options.url?.toString().slice(0, 200)} → ${response.statusCode}`,
      );
    }
    return response;
  };

  it('covers every operation of the OpenAPI document, webhooks included', () => {
    const names = operations.map((operation) => `${operation.method} ${operation.path}`);
    expect(names).toContain('GET /api/v1/organizations/{org}/audit-logs');
    expect(names).toContain('POST /api/v1/organizations/{org}/gdpr/erasures');
    expect(names.some((name) => name.includes('/webhooks'))).toBe(true);
    expect(operations.length).toBeGreaterThanOrEqual(15);
  });

  it(`answers ${RUNS_PER_OPERATION} hostile requests per operation without a 5xx`, async () => {
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(operation), async (input) => {
          const response = await send(operation, input);
          // 5xx are collected (and asserted below) so that one run reports every failing operation.
          if (
            response.statusCode >= 400 &&
            response.statusCode < 500 &&
            !operation.path.endsWith('/stream')
          ) {
            expect(response.headers['content-type']).toContain('application/problem+json');
            const problem = response.json();
            expect(problem.status).toBe(response.statusCode);
            // A problem names what was wrong, never a stack or SQL text.
            expect(response.body).not.toMatch(/\n\s+at |SQLITE_|sqlite_master/);
          }
        }),
        { numRuns: RUNS_PER_OPERATION, seed: SEED, endOnFailure: true },
      );
    }
    console.info(`fuzz-api: ${tried} requests over ${operations.length} operations, seed ${SEED}`);
    expect(fiveHundreds).toEqual([]);
  }, 180_000);

  it('is still healthy and answers correctly afterwards', async () => {
    const health = await fixture.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const one = await fixture.request({
      method: 'GET',
      url: `/api/v1/organizations/default/audit-logs/${ids.event}`,
    });
    expect(one.statusCode).toBe(200);
    expect(one.json().data.actor.email).toBe('fuzz@example.com');
    const list = await fixture.request({
      method: 'GET',
      url: '/api/v1/organizations/default/audit-logs?per_page=1',
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toHaveLength(1);
    expect(fixture.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
