import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Serializer = ReturnType<ReturnType<SerializerFactory>>;

/**
 * Fastify's own response serializer compiler (fast-json-stringify), each route's serializer
 * compiled when it first writes an answer instead of when the server starts (every response
 * schema of every route, ~0.1 s of a start's CPU, most of them for answers not given for a
 * while), and kept for the life of the process under its schema and options: a process that
 * builds many apps (the test suite builds hundreds) compiles each response schema once instead of
 * once per app. A compiled serializer keeps no state between calls, and the compiler reads nothing
 * but the schema, the shared schemas and the options, which the key holds whole as JSON.
 */
const compiled = new Map<string, Serializer>();
const compilerFactory = SerializerSelector();

export const buildSharedSerializer: SerializerFactory = (externalSchemas, options) => {
  let shared: { compile: ReturnType<SerializerFactory>; key: string } | undefined;
  return (route) => {
    let serializer: Serializer | undefined;
    return (data: unknown) => {
      if (!serializer) {
        shared ??= {
          compile: compilerFactory(externalSchemas, options),
          key: JSON.stringify([externalSchemas, options]),
        };
        const key = `${shared.key}\n${JSON.stringify(route.schema)}`;
        serializer = compiled.get(key) ?? shared.compile(route);
        compiled.set(key, serializer);
      }
      return serializer(data);
    };
  };
};
