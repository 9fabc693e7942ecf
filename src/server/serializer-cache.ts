import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/**
 * Fastify's own response serializer compiler (fast-json-stringify), each compiled serializer
 * kept for the life of the process under its schema and options: a process that builds many apps
 * (the test suite builds hundreds) compiles each response schema once instead of once per app.
 * A compiled serializer keeps no state between calls, and the compiler reads nothing but the
 * schema, the shared schemas and the options, which the key holds whole as JSON.
 */
const compiled = new Map<string, ReturnType<ReturnType<SerializerFactory>>>();
const compilerFactory = SerializerSelector();

export const buildSharedSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = compilerFactory(externalSchemas, options);
  const shared = JSON.stringify([externalSchemas, options]);
  return (route) => {
    const key = `${shared}\n${JSON.stringify(route.schema)}`;
    let serializer = compiled.get(key);
    if (!serializer) {
      serializer = compile(route);
      compiled.set(key, serializer);
    }
    return serializer;
  };
};
