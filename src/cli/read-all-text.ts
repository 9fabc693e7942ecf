/**
 * Reads a whole stream as UTF-8. Chunks are joined as bytes before decoding, so a character that
 * a pipe splits across two reads (a webhook secret with "é" in it) arrives whole.
 */
export async function readAllText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
