/**
 * Secrets are never stored: the redaction applied on ingest to every text a sender sends —
 * metadata, changes and context (keys and values, any depth), description, actor and target.
 */
import type { JsonObject, JsonValue } from './event.js';
import { isSecretKey } from './secret-keys.js';
import { REDACTED, redactSecretString } from './secret-shapes.js';

export { isSecretKey } from './secret-keys.js';
export { REDACTED, redactSecretString } from './secret-shapes.js';

/**
 * Returns a deep copy in which every value under a secret-looking key (any depth, objects in
 * arrays too) is REDACTED whatever its type, every secret shape inside a string is replaced by
 * REDACTED, and so is every secret inside a key (a token used as a key). The input is not modified.
 */
export function redactSecrets<T extends JsonValue>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: JsonValue): JsonValue {
  if (typeof value === 'string') return redactSecretString(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  return redactObject(value);
}

function redactObject(object: JsonObject): JsonObject {
  const entries = Object.entries(object);
  const keys = entries.map(([key]) => redactSecretString(key));
  if (keys.every((key, index) => key === entries[index]?.[0])) {
    // fromEntries defines own properties, so a `__proto__` key stays data instead of a prototype.
    return Object.fromEntries(
      entries.map(([key, child]) => [key, isSecretKey(key) ? REDACTED : redactValue(child)]),
    );
  }
  // A redacted key takes a free name (`[REDACTED] 2`, …): it must not replace another entry.
  const taken = new Set(entries.map(([key]) => key).filter((key, index) => keys[index] === key));
  const unique = (key: string) => {
    let name = key;
    for (let n = 2; taken.has(name); n++) name = `${key} ${n}`;
    taken.add(name);
    return name;
  };
  return Object.fromEntries(
    entries.map(([key, child], index) => {
      const safeKey = keys[index] === key ? key : unique(keys[index] as string);
      return [safeKey, isSecretKey(key) ? REDACTED : redactValue(child)];
    }),
  );
}
