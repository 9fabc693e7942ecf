import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecretString, redactSecrets } from '../../src/domain/redaction.js';
import { generateToken } from '../../src/domain/token.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZXkifQ.c2lnbmF0dXJla2V5';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('redaction of secrets used as keys', () => {
  it('a live audit token or a JWT used as a JSON key is stored as [REDACTED], its value kept', () => {
    const token = generateToken();
    const output = redactSecrets({ [token]: 'ci pipeline', [JWT]: { scope: 'read' }, plain: 1 });
    expect(JSON.stringify(output)).not.toContain(token.slice(4, 20));
    expect(JSON.stringify(output)).not.toContain('eyJzdWIi');
    expect(Object.values(output)).toEqual(expect.arrayContaining(['ci pipeline', { scope: 'read' }, 1]));
    expect(Object.keys(output).filter((key) => key.startsWith(REDACTED))).toHaveLength(2);
  });

  it('makes colliding redacted keys unique, and never overwrites a key the sender wrote', () => {
    const output = redactSecrets({
      [generateToken()]: 'a',
      [generateToken()]: 'b',
      [`${REDACTED} 2`]: 'mine',
      nested: { [`Bearer ${'x'.repeat(20)}`]: 'c' },
    });
    expect(Object.keys(output)).toHaveLength(4);
    expect(Object.values(output)).toEqual(expect.arrayContaining(['a', 'b', 'mine']));
    expect(output[`${REDACTED} 2`]).toBe('mine');
    expect(output.nested).toEqual({ [REDACTED]: 'c' });
  });

  it('a key that holds a secret shape (connection URL, query token) keeps its structure redacted', () => {
    const output = redactSecrets({ 'postgres://app:pw123456@db/prod': 'primary' });
    expect(Object.keys(output)).toEqual(['postgres://app:[REDACTED]@db/prod']);
  });
});

describe('redaction of secret value shapes', () => {
  it.each([
    ['Basic auth', `Authorization: ${basic('ci-user:BasicCanary55')}`, 'Authorization: [REDACTED]'],
    ['Basic auth, lower case', `basic ${Buffer.from('u:p4ss').toString('base64')}`, REDACTED],
    [
      'a password in a postgres URL',
      'postgres://app:ConnPw66@db.internal:5432/prod',
      'postgres://app:[REDACTED]@db.internal:5432/prod',
    ],
    ['a password in a redis URL', 'redis://:s3cr3tpw@cache:6379/0', 'redis://:[REDACTED]@cache:6379/0'],
    ['a password with an @ in it', 'mysql://root:p@ss@db/x', 'mysql://root:[REDACTED]@db/x'],
    [
      'access_token= in a query string',
      'https://api.example.com/cb?access_token=QsTok77&x=1',
      'https://api.example.com/cb?access_token=[REDACTED]&x=1',
    ],
    ['token= in a query string', 'GET /hook?id=4&token=QsTok88', 'GET /hook?id=4&token=[REDACTED]'],
    [
      'a secret query parameter in a fragment',
      'https://app/#id_token=abc.def&state=1',
      'https://app/#id_token=[REDACTED]&state=1',
    ],
    ['password= in a form body', 'user=bob&password=hunter2', 'user=bob&password=[REDACTED]'],
    [
      'a PEM private key',
      'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEcanaryPem88\nabc==\n-----END RSA PRIVATE KEY----- end',
      `key: ${REDACTED} end`,
    ],
    ['a cut-off PEM private key', '-----BEGIN PRIVATE KEY-----\nMIIEcanaryPem99', REDACTED],
    [
      'an OpenSSH private key',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----',
      REDACTED,
    ],
    // Shapes an attacker's review found stored in clear.
    [
      'a quoted password= in prose',
      'login failed password="hunter2" for bob',
      'login failed password=[REDACTED] for bob',
    ],
    ['a single-quoted token=', "cfg token='QsTok11' set", 'cfg token=[REDACTED] set'],
    ['token= after a parenthesis', 'cfg (token=QsTok22)', 'cfg (token=[REDACTED])'],
    ['token= after a comma', 'a=1,token=QsTok33', 'a=1,token=[REDACTED]'],
    [
      'a percent-encoded parameter name',
      'GET /cb?access%5Ftoken=QsTok44',
      'GET /cb?access%5Ftoken=[REDACTED]',
    ],
    ['a JWT glued to a word', `id_token_${JWT}`, `id_token_${REDACTED}`],
    ['a JWT glued to a letter', `x${JWT}`, `x${REDACTED}`],
  ])('%s', (_name, input, expected) => {
    expect(redactSecretString(input)).toBe(expected);
  });

  it('redacts the value of a secret key written in full-width or with invisible characters', () => {
    const output = redactSecrets({
      ｐａｓｓｗｏｒｄ: 'hunter2',
      'pass\u200bword': 'hunter3',
      'api%5Fkey': 'k1',
    });
    expect(Object.values(output)).toEqual([REDACTED, REDACTED, REDACTED]);
  });

  it.each([
    'Basic authentication failed',
    'basic plan',
    'postgres://db.internal:5432/prod',
    'https://example.com:8443/path/@alice',
    'https://example.com/search?q=token&page=2',
    'the passenger boarded',
    'a=b and c=d',
    '-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----',
    'mailto:alice@example.com',
    'heyJohn.doe.example is here',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactSecretString(text)).toBe(text);
  });
});

describe('short secret key names', () => {
  it('redacts pwd, pass and pw as whole words of a key, in any spelling', () => {
    const output = redactSecrets({
      pwd: 'a',
      pass: 'b',
      db_pass: 'c',
      userPwd: 'd',
      PW: 'e',
      passphrase: 'f',
    });
    expect(Object.values(output)).toEqual(Array(6).fill(REDACTED));
  });

  it('leaves keys that merely contain those letters', () => {
    const input = {
      passenger: 'Ann',
      bypass: 'no',
      compass: 'north',
      pwdump_version: 1,
      password_policy_ok: true,
    };
    const output = redactSecrets(input);
    expect(output.passenger).toBe('Ann');
    expect(output.bypass).toBe('no');
    expect(output.compass).toBe('north');
    expect(output.pwdump_version).toBe(1);
    // The SPEC's words stay substring matches: a false positive hides a value, a false negative stores a secret.
    expect(output.password_policy_ok).toBe(REDACTED);
  });
});
