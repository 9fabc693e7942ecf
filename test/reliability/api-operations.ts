/** The API's operations as its OpenAPI document declares them, and a good body for each. */

export interface Operation {
  method: string;
  path: string;
  query: string[];
  body: string[];
  /** The query parameters and body fields the document declares as integers. */
  integerQuery: string[];
  integerBody: string[];
}

/** A known-good body per operation, so that one hostile field at a time reaches deep code. */
export const BASES: Record<string, Record<string, unknown>> = {
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

export function operationsOf(document: { paths: Record<string, Record<string, unknown>> }): Operation[] {
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
