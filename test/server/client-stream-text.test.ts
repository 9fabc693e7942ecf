import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditClient } from '../../src/client/client.js';
import { generateToken } from '../../src/domain/token.js';

describe('the client event stream', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('hands over text, and a character whose UTF-8 bytes arrive in two packets whole', async () => {
    const frame = Buffer.from('id: 1\ndata: {"description":"Zoë 👋"}\n\n');
    const cut = frame.indexOf(Buffer.from('👋')) + 2;
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(frame.subarray(0, frame.indexOf(Buffer.from('ë')) + 1));
      setTimeout(() => response.write(frame.subarray(frame.indexOf(Buffer.from('ë')) + 1, cut)), 50);
      setTimeout(() => response.end(frame.subarray(cut)), 100);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const client = new AuditClient({
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: generateToken(),
      org: 'default',
    });
    const chunks: unknown[] = [];
    for await (const chunk of await client.openStream()) chunks.push(chunk);
    await client.close();
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(typeof chunk).toBe('string');
    expect(chunks.join('')).toBe(frame.toString('utf8'));
  });
});
