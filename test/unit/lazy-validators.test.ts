import { AjvCompiler } from '@fastify/ajv-compiler';
import { describe, expect, it } from 'vitest';
import { buildLazyValidator } from '../../src/server/lazy-validators.js';

const OPTIONS = {
  customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true },
} as const;

const route = (schema: object) => ({ schema, method: 'GET', url: '/x', httpPart: 'querystring' }) as never;

describe("a route's request validator compiled on its first request", () => {
  it('is not compiled when the route is built: a schema Ajv refuses fails at the first request, not before', () => {
    const validator = buildLazyValidator({}, OPTIONS)(route({ type: 'no-such-type' }));
    expect(typeof validator).toBe('function');
    expect(() => (validator as (data: unknown) => unknown)({})).toThrow(/no-such-type|schema is invalid/);
  });

  it('answers and reports errors as the validator Fastify compiles at start, coercion and defaults included', () => {
    const schema = {
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
        action: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    };
    const eager = AjvCompiler()({}, OPTIONS as never)(route(schema)) as ((data: unknown) => unknown) & {
      errors?: unknown;
    };
    const lazy = buildLazyValidator({}, OPTIONS as never)(route(schema)) as ((data: unknown) => unknown) & {
      errors?: unknown;
    };
    for (const input of [
      {},
      { limit: '7', action: 'user.login' },
      { limit: '0' },
      { limit: 'x' },
      { other: 1 },
    ]) {
      const [a, b] = [structuredClone(input), structuredClone(input)];
      expect(lazy(a)).toBe(eager(b));
      expect(lazy.errors).toEqual(eager.errors);
      // Ajv coerces and fills defaults in place: the handler sees the same query either way.
      expect(a).toEqual(b);
    }
  });
});
