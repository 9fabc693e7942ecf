import { describe, expect, it } from 'vitest';
import { checkServerUrl } from '../../src/config/server-url.js';

const problem = (server: string) => {
  try {
    checkServerUrl(server, '--server');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('checkServerUrl: a server URL that cannot work is named with its source', () => {
  it.each([
    'http://127.0.0.1:7787',
    'https://audit.example.com',
    'https://audit.example.com/',
    // A reverse proxy's prefix: the client keeps it.
    'https://example.com/audit',
  ])('accepts %s', (server) => {
    expect(problem(server)).toBeUndefined();
  });

  it.each([
    ['localhost:7787', '--server: expected a URL like http://localhost:7787; got "localhost:7787"'],
    ['127.0.0.1:7787', '--server: expected a URL like http://localhost:7787; got "127.0.0.1:7787"'],
    ['ftp://audit.example.com', '--server: only http:// and https:// servers are supported; got "ftp://…"'],
    [
      'https://example.com/audit/api/v1',
      "--server: give the server's address without the API path; use https://example.com/audit",
    ],
    [
      'https://example.com/api/',
      "--server: give the server's address without the API path; use https://example.com",
    ],
    [
      'https://example.com/?org=x',
      "--server: a query or fragment cannot be part of the server's URL; use https://example.com",
    ],
  ])('refuses %s', (server, message) => {
    expect(problem(server)).toBe(message);
  });

  it('refuses credentials in the URL without repeating them: a token must not travel in a URL', () => {
    const message = problem('https://alice:adt_secret@audit.example.com');
    expect(message).toMatch(
      /^--server: the URL carries a user name or password \(https:\/\/audit\.example\.com\)/,
    );
    expect(message).toContain('a token must not travel in a URL');
    expect(message).not.toMatch(/alice|adt_secret/);
  });

  it.each([
    'alice:adt_secret@audit.example.com:7787',
    'http:/alice:adt_secret@audit.example.com',
    'alice:adt_secret@audit.example.com',
  ])('refuses %s (no scheme, or half of one) without repeating its password', (server) => {
    const message = problem(server);
    expect(message).toMatch(/^--server: expected a URL like http:\/\/localhost:7787; got "/);
    expect(message).toContain('audit.example.com');
    expect(message).not.toContain('adt_secret');
  });
});
