import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText } from '../../src/client/body-text.js';

/** A server that answers each POST with the bytes it was sent. */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.end(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const answered = async (bytes: Uint8Array) => (await request(url, { method: 'POST', body: bytes })).body;

// Bytes as an attacker may send them: ASCII, any byte, a BOM, broken and overlong sequences, surrogates as UTF-8.
const PIECES = [
  [0xef, 0xbb, 0xbf],
  [0xc3],
  [0xc3, 0xa9],
  [0xed, 0xa0, 0x80],
  [0xf0, 0x9f, 0x9a, 0x80],
  [0xc0, 0xaf],
  [0xff],
  [0x00],
  [0x7f],
  [0x80],
];
const hostileBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PIECES),
      fc.string({ unit: 'binary-ascii' }).map((text) => [...Buffer.from(text, 'latin1')]),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
    ),
    { maxLength: 12 },
  )
  .map((pieces) => Uint8Array.from(pieces.flat()));

describe("an answer's body as text", () => {
  it('is what undici body.text() gives, for any bytes', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBytes, async (bytes) => {
        const text = await (await answered(bytes)).text();
        expect(bodyText(await (await answered(bytes)).bytes())).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('is what body.text() gives for a large ASCII answer and one with a character beyond it', async () => {
    const ascii = Buffer.from(`{"data":[${'"x\\u0000y",'.repeat(50_000)}1]}`);
    for (const bytes of [
      ascii,
      Buffer.concat([ascii, Buffer.from('é')]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ascii]),
    ])
      expect(bodyText(await (await answered(bytes)).bytes())).toBe(await (await answered(bytes)).text());
  });
});
