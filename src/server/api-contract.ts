import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * What /openapi.json promises beyond each route's own schema, added to every route as it is
 * registered: an operationId, the media type of each answer (JSON, or a problem document for
 * errors), the statuses any route can answer with, and the headers those answers carry. Routes
 * declare their success bodies and the errors particular to them; this module declares the rest,
 * so the document says what the server really sends (test/server/openapi-contract.test.ts holds
 * every answer of the server tests against it).
 */

interface Operation {
  id: string;
  /** Headers the success answer carries besides the rate-limit ones. */
  headers?: Record<string, string>;
}

const LINK = { Link: 'RFC 8288 `<url>; rel="next"` when there is a next page' };

const OPERATIONS: Record<string, Operation> = {
  'GET /healthz': { id: 'getHealth' },
  'GET /api/v1/me': { id: 'getMe' },
  'GET /api/v1/organizations/:org/audit-logs': { id: 'listAuditLogs', headers: LINK },
  'GET /api/organization/audit-logs': { id: 'listOwnAuditLogs', headers: LINK },
  'GET /api/v1/organizations/:org/audit-logs/:id': { id: 'getAuditLog' },
  'GET /api/v1/organizations/:org/audit-logs/stream': { id: 'streamAuditLogs' },
  'GET /api/v1/organizations/:org/audit-logs/export': { id: 'exportAuditLogs' },
  'GET /api/v1/organizations/:org/audit-logs/review': { id: 'getSecurityReview' },
  'GET /api/v1/organizations/:org/audit-logs/stats': { id: 'getAuditLogStats' },
  'POST /api/v1/organizations/:org/audit-logs': { id: 'ingestAuditLogs' },
  'POST /api/v1/organizations/:org/exports': { id: 'recordExport' },
  'GET /api/v1/organizations/:org/audit-logs/checkpoint': { id: 'getCheckpoint' },
  'GET /api/v1/organizations/:org/audit-logs/tree': { id: 'getTree' },
  'GET /api/v1/organizations/:org/audit-logs/tree/inclusion': { id: 'getInclusionProof' },
  'GET /api/v1/organizations/:org/audit-logs/tree/consistency': { id: 'getConsistencyProof' },
  'GET /api/v1/organizations/:org/audit-logs/tree/leaves': { id: 'listTreeLeaves' },
  'GET /api/v1/organizations/:org/audit-logs/tree/proof': { id: 'getExportProof' },
  'POST /api/v1/organizations/:org/gdpr/exports': { id: 'exportPersonalData' },
  'POST /api/v1/organizations/:org/gdpr/erasures': { id: 'erasePersonalData' },
  'POST /api/v1/organizations/:org/webhooks': {
    id: 'createWebhook',
    headers: { Location: 'the new webhook’s URL' },
  },
  'GET /api/v1/organizations/:org/webhooks': { id: 'listWebhooks' },
  'GET /api/v1/organizations/:org/webhooks/:id': { id: 'getWebhook' },
  'PATCH /api/v1/organizations/:org/webhooks/:id': { id: 'updateWebhook' },
  'DELETE /api/v1/organizations/:org/webhooks/:id': { id: 'deleteWebhook' },
  'POST /api/v1/organizations/:org/webhooks/:id/test': { id: 'testWebhook' },
  'GET /api/v1/organizations/:org/webhooks/:id/deliveries': { id: 'listWebhookDeliveries' },
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Invalid parameter, body or URL',
  401: 'Missing, unknown, expired or revoked token',
  403: 'The token or its role does not permit this',
  404: 'No such organization or resource (or not visible to the caller)',
  413: 'Request body too large',
  414: 'A path segment is too long',
  415: 'Request body is not JSON',
  429: 'Rate limit or stream limit reached',
  500: 'Unexpected server error',
  503: 'The database is busy or the server is shutting down; retry',
};

const integerHeader = (description: string) => ({ description, type: 'integer' });
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': integerHeader('requests allowed per minute'),
  'RateLimit-Remaining': integerHeader('requests left in this minute'),
  'RateLimit-Reset': integerHeader('seconds until the window resets'),
};
const RETRY_AFTER = { 'Retry-After': integerHeader('seconds to wait before retrying') };
const WWW_AUTHENTICATE = {
  'WWW-Authenticate': { description: 'the scheme to authenticate with: Bearer', type: 'string' },
};

const PROBLEM = 'application/problem+json';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Must be added before @fastify/swagger, so the document is made from the completed schemas. */
export function registerApiContract(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD' || route.schema?.hide) return;
    const key = `${String(route.method)} ${route.url}`;
    const operation = OPERATIONS[key];
    if (!operation) throw new Error(`${key} has no operationId in src/server/api-contract.ts`);
    route.schema = {
      ...route.schema,
      operationId: operation.id,
      response: completeResponses(route, operation),
    };
  });
}

function completeResponses(route: RouteOptions, operation: Operation): Record<string, unknown> {
  const declared = (route.schema?.response ?? {}) as Record<string, Record<string, unknown>>;
  const api = route.url.startsWith('/api/');
  const statuses = new Set([...Object.keys(declared).map(Number), 400, 500, 503]);
  if (api) for (const status of [401, 429]) statuses.add(status);
  if (route.url.includes('/:')) statuses.add(414);
  if (BODY_METHODS.has(String(route.method))) for (const status of [413, 415]) statuses.add(status);

  const responses: Record<string, unknown> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const headers = {
      ...(api ? RATE_LIMIT_HEADERS : {}),
      ...(status === 401 ? WWW_AUTHENTICATE : {}),
      ...(status === 429 || status === 503 ? RETRY_AFTER : {}),
      ...(status < 300 ? describedStrings(operation.headers) : {}),
    };
    const schema = declared[status];
    const description = STATUS_TEXT[status] ?? 'Answer';
    if (status >= 400) {
      responses[status] = { description, headers, content: { [PROBLEM]: { schema: { $ref: 'Problem' } } } };
    } else if (schema?.content || schema?.type === 'null') {
      responses[status] = { description, ...schema, headers };
    } else {
      responses[status] = { description, headers, content: { 'application/json': { schema } } };
    }
  }
  return responses;
}

function describedStrings(headers: Record<string, string> = {}) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, type: 'string' }]),
  );
}
