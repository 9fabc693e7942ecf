import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';
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

interface Operation {
  method: string;
  path: string;
  query: string[];
  body: string[];
  /** The query parameters and body fields the document declares as integers. */
  integerQuery: string[];
  integerBody: string[];
}

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

/** A known-good body per operation, so that one hostile field at a time reaches deep code. */
const BASES: Record<string, Record<string, unknown>> = {
  'POST /api/v1/organizations/{org}/audit-logs': {
    action: 'user.login',
    actor: { id: 'user_fuzz', name: 'Fuzz', email: 'fuzz@example.com', type: 'user' },
    target: { type: 'tunnel', id: 'tunnel_1', name: 'api' },
    context: { ip_address: '203.0.113.9', user_agent: 'fuzz', team_id: 'team_x', team_name: 'X' },
    metadata: { reason: 'fuzz' },
    changes: { role: { old: 'member', new: 'admin' } },
  },
  'POST /api/v1/organizations/{org}/exports': { kind: 'export', format: 'csv', count: 1 },
  'POST /api/v1/organizations/{org}/gdpr/exports': { user: 'fuzz@example.com' },
  'POST /api/v1/organizations/{org}/gdpr/erasures': { user: 'nobody@example.com', dry_run: true },
  // Port 9 (discard) on loopback: nothing listens, so a test send fails fast and stays local.
  'POST /api/v1/organizations/{org}/webhooks': { url: 'http://127.0.0.1:9/hook', actions: ['user.*'] },
  'PATCH /api/v1/organizations/{org}/webhooks/{id}': { description: 'fuzz' },
};

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

function operationsOf(document: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, byMethod] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(byMethod)) {
      const operation = raw as {
        parameters?: { in: string; name: string; schema?: { type?: unknown } }[];
        requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
      };
      const schema = operation.requestBody?.content['application/json']?.schema as
        | {
            properties?: Record<string, { type?: unknown }>;
            anyOf?: { properties?: Record<string, unknown> }[];
          }
        | undefined;
      const body = new Set<string>(Object.keys(schema?.properties ?? {}));
      for (const branch of schema?.anyOf ?? [])
        for (const key of Object.keys(branch.properties ?? {})) body.add(key);
      operations.push({
        method: method.toUpperCase(),
        path,
        query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: [...body],
        integerQuery: (operation.parameters ?? [])
          .filter((p) => p.in === 'query' && p.schema?.type === 'integer')
          .map((p) => p.name),
        integerBody: Object.entries(schema?.properties ?? {})
          .filter(([, property]) => property.type === 'integer')
          .map(([name]) => name),
      });
    }
  }
  return operations;
}

describe('fuzzing every endpoint with hostile input', () => {
  let fixture: Fixture;
  let operations: Operation[];
  const ids: Record<string, string> = {};
  const fiveHundreds: string[] = [];
  let tried = 0;

  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000_000, webhookTimeoutMs: 500 });
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
