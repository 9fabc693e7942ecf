import { afterAll, describe, expect, it } from 'vitest';
import { MAX_INGEST_BATCH } from '../../src/client/client.js';
import { EXPORT_PAGE_SIZE } from '../../src/client/export-stream.js';
import { DEFAULT_PAGE_SIZE, MAX_BATCH_EVENTS, MAX_PAGE_SIZE } from '../../src/domain/request-limits.js';
import { IMPORT_BATCH_SIZE } from '../../src/import/run.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

describe('the 1,000 limits come from one constant each, for client, CLI and server', () => {
  let fixture: Fixture | undefined;
  afterAll(async () => {
    await fixture?.close();
  });

  it('the page size the server documents and enforces is the one the exporter asks for', async () => {
    fixture = await createFixture();
    const openapi = (await fixture.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const list = openapi.paths['/api/v1/organizations/{org}/audit-logs'].get;
    const perPage = list.parameters.find((parameter: { name: string }) => parameter.name === 'per_page');
    expect(perPage.schema).toMatchObject({ maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE });
    expect(EXPORT_PAGE_SIZE).toBe(MAX_PAGE_SIZE);
    const url = `/api/v1/organizations/default/audit-logs?per_page=${MAX_PAGE_SIZE + 1}`;
    const tooMany = await fixture.request({ method: 'GET', url });
    expect(tooMany.statusCode).toBe(400);
  });

  it('the ingest batch of the client and of import is the server limit', () => {
    expect(MAX_INGEST_BATCH).toBe(MAX_BATCH_EVENTS);
    expect(IMPORT_BATCH_SIZE).toBe(MAX_BATCH_EVENTS);
  });
});
