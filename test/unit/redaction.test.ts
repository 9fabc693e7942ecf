import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/event.js';
import { REDACTED, redactSecretString, redactSecrets } from '../../src/domain/redaction.js';
import { generateToken } from '../../src/domain/token.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redactSecrets: keys', () => {
  it.each([
    ['password', ['password', 'Password', 'new_password', 'PASSWORD_HASH', 'userPassword']],
    ['passwd', ['passwd', 'db_passwd', 'PASSWD']],
    ['secret', ['secret', 'client_secret', 'clientSecret', 'Webhook-Secret']],
    ['token', ['token', 'access_token', 'refreshToken', 'X-Token', 'tokens_used']],
    ['api_key', ['api_key', 'apiKey', 'API-KEY', 'x_api_key', 'ApiKey']],
    ['apikey', ['apikey', 'APIKEY', 'stripe_apikey']],
    ['authorization', ['authorization', 'Authorization', 'proxy_authorization', 'Proxy-Authorization']],
    ['cookie', ['cookie', 'Cookie', 'set-cookie', 'sessionCookie']],
    ['private_key', ['private_key', 'privateKey', 'Private-Key', 'ssh_private_key', 'PRIVATEKEY']],
    ['credential', ['credential', 'credentials', 'aws_Credentials', 'Credential-Id']],
  ])('redacts keys containing %s in any spelling', (_word, keys) => {
    const input: JsonObject = Object.fromEntries(keys.map((key) => [key, 'hunter2']));
    const output = redactSecrets(input);
    for (const key of keys) expect(output[key]).toBe(REDACTED);
  });

  it('redacts whatever the value under a secret key is', () => {
    const output = redactSecrets({
      password: { old: 'a', new: 'b' },
      tokens: ['x', 'y'],
      api_key: 12345,
      cookie: null,
      secret: true,
    });
    expect(output).toEqual({
      password: REDACTED,
      tokens: REDACTED,
      api_key: REDACTED,
      cookie: REDACTED,
      secret: REDACTED,
    });
  });

  it('redacts secret keys nested five levels deep', () => {
    const input = { a: { b: { c: { d: { e: { password: 'p', note: 'kept' } } } } } };
    expect(redactSecrets(input)).toEqual({
      a: { b: { c: { d: { e: { password: REDACTED, note: 'kept' } } } } },
    });
  });

  it('redacts inside arrays of objects, and arrays inside arrays', () => {
    const input: JsonObject = {
      webhooks: [
        { url: 'https://example.com/a', secret: 's1' },
        { url: 'https://example.com/b', signing_secret: 's2' },
        [{ authToken: 't' }, 'plain'],
      ],
    };
    expect(redactSecrets(input)).toEqual({
      webhooks: [
        { url: 'https://example.com/a', secret: REDACTED },
        { url: 'https://example.com/b', signing_secret: REDACTED },
        [{ authToken: REDACTED }, 'plain'],
      ],
    });
  });

  it('leaves non-secret keys and values untouched', () => {
    const input = {
      reason: 'No longer needed for testing',
      role: { old: 'member', new: 'admin' },
      ip_address: '203.0.113.42',
      count: 3,
      enabled: false,
      missing: null,
      author: 'Alice',
      key: 'tunnel-1',
      // `pass` itself is a secret key now (issue 17, point 11); words that contain it are not.
      passenger: 'Ann',
      compass: 'north',
      list: [1, 'two', null],
    };
    expect(redactSecrets(input)).toEqual(input);
  });

  it('does not mutate the input and returns a copy', () => {
    const input = { nested: { password: 'p', list: [{ token: 't' }] }, header: 'Bearer abc.def' };
    const snapshot = structuredClone(input);
    const output = redactSecrets(input);
    expect(input).toEqual(snapshot);
    expect(output).not.toBe(input);
    expect(output.nested).not.toBe(input.nested);
  });

  it('keeps a __proto__ key as data, not as a prototype', () => {
    const input = JSON.parse('{"__proto__": {"password": "p", "x": 1}}') as JsonObject;
    const output = redactSecrets(input);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, '__proto__')?.value).toEqual({ password: REDACTED, x: 1 });
  });

  it('passes scalars through', () => {
    expect(redactSecrets(42)).toBe(42);
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets('Bearer abc123')).toBe(REDACTED);
  });
});

describe('redactSecrets: string values', () => {
  it('replaces a bearer token inside a sentence', () => {
    expect(redactSecrets({ note: 'header was Bearer abc.def' })).toEqual({ note: `header was ${REDACTED}` });
    expect(redactSecretString('sent bearer dGVzdDp0ZXN0== then failed')).toBe(`sent ${REDACTED} then failed`);
    expect(redactSecretString('BEARER abc/def+ghi~jkl_mno-pqr, done')).toBe(`${REDACTED}, done`);
  });

  it('replaces an audit API token inside a string', () => {
    const token = generateToken();
    expect(redactSecrets({ cmd: `curl -H "x: ${token}" url` })).toEqual({
      cmd: `curl -H "x: ${REDACTED}" url`,
    });
    expect(redactSecretString(`a=${token}&b=${generateToken()}`)).toBe(`a=${REDACTED}&b=${REDACTED}`);
    expect(redactSecretString(`prefix_${token}`)).toBe(`prefix_${REDACTED}`);
  });

  it('replaces JWTs, with or without Bearer', () => {
    expect(redactSecretString(`jwt: ${JWT}.`)).toBe(`jwt: ${REDACTED}.`);
    expect(redactSecretString(`Authorization: Bearer ${JWT}`)).toBe(`Authorization: ${REDACTED}`);
  });

  it('leaves prose about bearer tokens and ordinary text alone', () => {
    for (const text of [
      'Bearer token expired',
      'missing bearer token.',
      'cupbearer abc123',
      'adt_short',
      'eyJ only',
    ]) {
      expect(redactSecretString(text)).toBe(text);
    }
  });

  it('redacts strings inside arrays', () => {
    expect(redactSecrets({ headers: ['Accept: */*', 'Authorization: Bearer xyz789'] })).toEqual({
      headers: ['Accept: */*', `Authorization: ${REDACTED}`],
    });
  });
});
