import { AjvCompiler } from '@fastify/ajv-compiler';

type ValidatorFactory = ReturnType<typeof AjvCompiler>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };

const ajvCompiler = AjvCompiler();

/**
 * Fastify's own request validator compiler (Ajv), each route's validator compiled when the
 * route first validates a request instead of when the server starts: a start compiled every
 * route's schemas, ~0.2 s of CPU, though most routes see no request for a while. The validator is
 * the one Fastify would have compiled, from the same schema and options, and a request is
 * checked by it before its handler runs either way; its `errors` are handed on as Fastify reads
 * them after the call.
 */
export const buildLazyValidator: ValidatorFactory = (externalSchemas, options) => {
  const compile = ajvCompiler(externalSchemas, options);
  return (route) => {
    let validate: Validate | undefined;
    const lazy: Validate = (data) => {
      validate ??= compile(route) as Validate;
      const result = validate(data);
      lazy.errors = validate.errors;
      return result;
    };
    return lazy as ReturnType<ReturnType<ValidatorFactory>>;
  };
};
