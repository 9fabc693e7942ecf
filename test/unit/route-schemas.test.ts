import { readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const SCHEMAS_DIR = new URL('../../src/server/schemas/', import.meta.url);
/** What TypeBox (1.x) marks each schema it builds with (a property JSON Schema ignores). */
const TYPEBOX_KIND = '~kind';

/** Every schema src/server/schemas/ exports (the API's request and answer schemas), by name. */
async function routeSchemas(): Promise<[string, object][]> {
  const found: [string, object][] = [];
  for (const file of readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.ts'))) {
    const module = (await import(new URL(file, SCHEMAS_DIR).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module))
      if (typeof value === 'object' && value !== null && TYPEBOX_KIND in value)
        found.push([`${file} ${name}`, value]);
  }
  return found;
}

describe("the API's schemas, checked once here instead of by Ajv at every server start", () => {
  it('every exported schema is valid JSON Schema (the meta-schema Ajv would check at start)', async () => {
    const schemas = await routeSchemas();
    expect(schemas.length).toBeGreaterThan(40);
    const ajv = new Ajv({ strict: true });
    const invalid = schemas.flatMap(([name, schema]) =>
      ajv.validateSchema(schema) ? [] : [`${name}: ${ajv.errorsText(ajv.errors)}`],
    );
    expect(invalid).toEqual([]);
  });

  it('finds an invalid schema (the check can fail)', () => {
    const ajv = new Ajv({ strict: true });
    expect(
      ajv.validateSchema({ type: 'object', properties: { limit: { type: 'integer', minimum: '1' } } }),
    ).toBe(false);
  });
});
