import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOf } from '../helpers/openapi-contract.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const run = promisify(execFile);
const LIST = '/api/v1/organizations/default/audit-logs';
const STREAM = `${LIST}/stream`;

interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string }[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }>;
}

describe('/openapi.json describes what the server sends', () => {
  let fixture: Fixture;
  let text: string;
  let document: { paths: Record<string, Record<string, Operation>>; [key: string]: unknown };
  const operation = (path: string, method: string) => document.paths[path]?.[method] as Operation;

  beforeAll(async () => {
    fixture = await createFixture();
    text = (await fixture.app.inject({ method: 'GET', url: '/openapi.json' })).body;
    document = JSON.parse(text);
  });
  afterAll(() => fixture.close());

  it("passes Redocly's recommended rules with no error", async () => {
    const file = join(fixture.dir, 'openapi.json');
    writeFileSync(file, text);
    const bin = join(import.meta.dirname, '../../node_modules/.bin/redocly');
    const lint = await run(bin, ['lint', '--extends', 'recommended', '--format', 'json', file], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout: string }) => error);
    const report = JSON.parse(lint.stdout) as { totals: { errors: number }; problems: unknown[] };
    expect(report.problems).toEqual(expect.any(Array));
    expect(report.totals.errors, JSON.stringify(report.problems, null, 1)).toBe(0);
  });

  it('names its servers and license, and gives every operation a unique operationId', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(document.info).toMatchObject({ license: { name: 'MIT' } });
    const ids = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    expect(ids.length).toBeGreaterThan(15);
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares one event, read or recorded, with the one schema of an event answer (data required)', () => {
    const answerOf = (path: string, method: string, status: string) => {
      const json = operation(path, method).responses[status]?.content?.['application/json'];
      return (json as { schema?: unknown } | undefined)?.schema;
    };
    const read = answerOf('/api/v1/organizations/{org}/audit-logs/{id}', 'get', '200');
    expect(read).toMatchObject({ type: 'object', required: ['data'] });
    expect(read).toEqual(answerOf('/api/v1/organizations/{org}/exports', 'post', '201'));
  });

  it('declares the stream as text/event-stream, resumable with a Last-Event-ID header', () => {
    const stream = operation('/api/v1/organizations/{org}/audit-logs/stream', 'get');
    expect(Object.keys(stream.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(stream.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'Last-Event-ID' }),
    );
  });

  it('declares every error as application/problem+json, and the statuses the server really uses', () => {
    const ingest = operation('/api/v1/organizations/{org}/audit-logs', 'post');
    for (const status of ['400', '401', '403', '404', '413', '414', '415', '429', '500', '503'])
      expect(Object.keys(ingest.responses[status]?.content ?? {}), status).toEqual([
        'application/problem+json',
      ]);
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, op] of Object.entries(methods))
        for (const [status, response] of Object.entries(op.responses))
          if (Number(status) >= 400)
            expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual([
              'application/problem+json',
            ]);
  });

  it('declares the headers it sends: Link, RateLimit-*, Retry-After, WWW-Authenticate', () => {
    const list = operation('/api/v1/organizations/{org}/audit-logs', 'get');
    expect(Object.keys(list.responses['200']?.headers ?? {})).toEqual(
      expect.arrayContaining(['Link', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
    expect(list.responses['401']?.headers).toHaveProperty('WWW-Authenticate');
    expect(list.responses['429']?.headers).toHaveProperty('Retry-After');
    expect(list.responses['503']?.headers).toHaveProperty('Retry-After');
  });

  it("holds a live stream's real answer to the document: status and media type", async () => {
    const address = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const { status, headers } = await new Promise<{ status: number; headers: Record<string, unknown> }>(
      (resolve, reject) => {
        const request = httpRequest(`${address}${STREAM}`, {
          headers: { authorization: `Bearer ${fixture.tokens.owner}` },
        });
        request.on('response', (response) => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers });
          response.destroy();
        });
        request.on('error', reject);
        request.end();
      },
    );
    const answer = { method: 'GET', url: STREAM, status, headers, body: '' };
    expect(status).toBe(200);
    expect(contractOf(text).check(answer)).toEqual([]);
  });

  describe('the contract check refuses an answer the document does not describe', () => {
    const answer = {
      method: 'GET',
      url: LIST,
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"data":[],"pagination":{"per_page":100,"next_cursor":null,"has_more":false}}',
    };

    it('accepts a real-shaped list page', () => {
      expect(contractOf(text).check(answer)).toEqual([]);
    });

    it('refuses an undeclared status', () => {
      expect(contractOf(text).check({ ...answer, status: 418 })).toEqual([
        expect.stringContaining('status not declared'),
      ]);
    });

    it('refuses an undeclared media type', () => {
      const problem = { ...answer, status: 400, headers: { 'content-type': 'application/json' } };
      expect(contractOf(text).check(problem)).toEqual([expect.stringContaining('media type')]);
    });

    it('refuses a body that does not match the declared schema', () => {
      const body = '{"data":[{"id":1}],"pagination":{}}';
      expect(contractOf(text).check({ ...answer, body })).toEqual([
        expect.stringContaining('body does not match'),
      ]);
    });

    it('refuses a documented header sent where it is not declared', () => {
      const headers = { ...answer.headers, 'retry-after': '1' };
      expect(contractOf(text).check({ ...answer, headers })).toEqual([
        expect.stringContaining('header retry-after'),
      ]);
    });
  });
});
