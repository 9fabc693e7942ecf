/**
 * An answer's body as text, as undici's body.text() decodes it (UTF-8, a leading BOM skipped,
 * what is not UTF-8 replaced). A body of ASCII bytes only (almost every answer: JSON escapes
 * nothing it needs to) is decoded as latin1, which gives the same characters: Node 20's UTF-8
 * decoder takes 3.4 ns a byte even then, a sixth of `audit verify --full`'s CPU, latin1 0.05.
 * test/server/client-body-text.test.ts holds it equal to body.text() over any bytes.
 */
import { isAscii } from 'node:buffer';

export function bodyText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buffer)) return buffer.toString('latin1');
  const bom = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
  return buffer.toString('utf8', bom ? 3 : 0);
}
