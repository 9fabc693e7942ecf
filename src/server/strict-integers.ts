import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidParameter } from './problem.js';

/** Decimal digits only, and few enough that the number is exact; the schema then checks the range. */
const DECIMAL = /^[0-9]{1,15}$/;

interface ObjectSchema {
  properties?: Record<string, { type?: unknown }>;
}

/**
 * Every integer of a query string or body is taken as written in decimal digits, nothing else.
 * The schema validator alone would coerce `0x10` to 16, `1e2` to 100, ` 5` to 5 and `Infinity`
 * or `1e309` to Infinity (which then reached the SQL text as a LIMIT); a body's `"16"` would
 * pass for 16. Runs before validation, on the route's own schema, so a new parameter is covered
 * by declaring it an integer.
 */
export function registerStrictIntegers(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema as
      | { querystring?: ObjectSchema; body?: ObjectSchema }
      | undefined;
    if (!schema) return;
    for (const name of integerProperties(schema.querystring)) checkQueryInteger(request, name);
    for (const name of integerProperties(schema.body)) checkBodyInteger(request, name);
  });
}

function integerProperties(schema: ObjectSchema | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, property]) => property.type === 'integer')
    .map(([name]) => name);
}

function checkQueryInteger(request: FastifyRequest, name: string) {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return;
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((item) => typeof item === 'string' && DECIMAL.test(item))) {
    throw invalidParameter(name, 'expected a whole number in decimal digits, like 100');
  }
}

function checkBodyInteger(request: FastifyRequest, name: string) {
  const body = request.body;
  if (body === null || typeof body !== 'object' || !Object.hasOwn(body, name)) return;
  const value = (body as Record<string, unknown>)[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidParameter(name, 'expected a whole number (a JSON number, at most 2^53 - 1)');
  }
}
