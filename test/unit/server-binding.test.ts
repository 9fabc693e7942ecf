import { describe, expect, it } from 'vitest';
import { assertTokenMayGo, isLoopbackHost, originOf, sameServer } from '../../src/config/server-binding.js';

const route = (server: string, extra: Partial<Parameters<typeof assertTokenMayGo>[0]> = {}) => ({
  server,
  serverSource: 'flag' as const,
  profile: 'default',
  boundServer: undefined,
  insecure: false,
  ...extra,
});

describe('which server a token is bound to', () => {
  it('compares servers by origin: case, trailing slash, default port and path do not count', () => {
    expect(originOf('https://Audit.Example.com:443/')).toBe('https://audit.example.com');
    expect(sameServer('http://127.0.0.1:80', 'http://127.0.0.1/')).toBe(true);
    expect(sameServer('https://audit.example.com', 'https://audit.example.com/api//')).toBe(true);
    expect(sameServer('HTTP://LOCALHOST:7787', 'http://localhost:7787')).toBe(true);
  });

  it('takes localhost, 127.0.0.1 and ::1 on one scheme and port as one server', () => {
    expect(sameServer('http://localhost:7787', 'http://127.0.0.1:7787')).toBe(true);
    expect(sameServer('http://[::1]:7787/', 'http://127.0.0.1:7787')).toBe(true);
    expect(sameServer('http://localhost:7787', 'http://127.0.0.1:7788')).toBe(false);
    expect(sameServer('https://localhost:7787', 'http://127.0.0.1:7787')).toBe(false);
    // Another loopback address may be another local user's listener on the same port.
    expect(sameServer('http://127.0.0.2:7787', 'http://127.0.0.1:7787')).toBe(false);
    expect(sameServer('http://127.255.255.254:7787', 'http://localhost:7787')).toBe(false);
  });

  it('tells apart another port, another scheme and a look-alike host', () => {
    expect(sameServer('http://127.0.0.1:7787', 'http://127.0.0.1:7788')).toBe(false);
    expect(sameServer('https://audit.example.com', 'http://audit.example.com')).toBe(false);
    expect(sameServer('https://audit.example.com', 'https://audit.example.com.evil.example')).toBe(false);
    expect(sameServer('https://audit.example.com', 'https://audit.example.com@evil.example')).toBe(false);
  });

  it("refuses a profile's token for another server even with --insecure", () => {
    expect(() =>
      assertTokenMayGo(
        route('https://evil.example', { boundServer: 'https://audit.example.com', insecure: true }),
      ),
    ).toThrow(
      'the token of profile "default" is bound to https://audit.example.com, not to https://evil.example (--server)',
    );
    expect(() =>
      assertTokenMayGo(route('https://AUDIT.example.com:443/', { boundServer: 'https://audit.example.com' })),
    ).not.toThrow();
  });
});

describe('plain http only on this machine', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.255.3.9', '[::1]'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    '128.0.0.1',
    '10.0.0.1',
    '192.168.1.20',
    'audit.example.com',
    '127.0.0.1.evil.example',
    'localhost.evil.example',
    '[::2]',
    '[fd00::1]',
  ])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('reads the host the way the URL parser does (127.1, [0::1])', () => {
    expect(() => assertTokenMayGo(route('http://127.1:7787'))).not.toThrow();
    expect(() => assertTokenMayGo(route('http://[0:0:0:0:0:0:0:1]:7787'))).not.toThrow();
  });

  it('refuses http to another host unless insecure, and always allows https', () => {
    expect(() => assertTokenMayGo(route('http://audit.example.com'))).toThrow(
      'refusing to send the token over plain http to audit.example.com (http://audit.example.com); ' +
        'use https://, or pass --insecure (AUDIT_INSECURE=1) on a network you trust',
    );
    expect(() => assertTokenMayGo(route('http://audit.example.com', { insecure: true }))).not.toThrow();
    expect(() => assertTokenMayGo(route('https://audit.example.com'))).not.toThrow();
  });
});
