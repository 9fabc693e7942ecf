import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { describe, expect, it } from 'vitest';
import { buildSharedSerializer } from '../../src/server/serializer-cache.js';

type Serialize = (data: unknown) => string;
const route = (schema: object, url = '/x') =>
  ({ schema, method: 'GET', url, httpStatus: '200', contentType: 'application/json' }) as never;

describe("a route's response serializer compiled on its first answer", () => {
  it('is not compiled when the route is built: a schema the compiler refuses fails at the first answer, not before', () => {
    const serializer = buildSharedSerializer(
      {},
      {},
    )(route({ type: 'object', required: 'not-a-list' })) as Serialize;
    expect(typeof serializer).toBe('function');
    expect(() => serializer({})).toThrow();
  });

  it('writes what the serializer Fastify compiles at start writes, extra members dropped as there', () => {
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'string' },
        count: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' } },
        nested: { type: 'object', properties: { at: { type: 'string' } } },
      },
    };
    const eager = SerializerSelector()({}, {})(route(schema)) as Serialize;
    const lazy = buildSharedSerializer({}, {})(route(schema, '/y')) as Serialize;
    for (const data of [
      {},
      { id: 'a"\u2028\ud800', count: 3, tags: ['x', '<'], nested: { at: 'now' }, secret: 'dropped' },
      { count: '7' },
    ])
      expect(lazy(data)).toBe(eager(data));
  });
});
