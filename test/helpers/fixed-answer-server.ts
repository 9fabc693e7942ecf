import { createServer } from 'node:http';

/** A server that is not the audit API: every request gets 200 with what `answer()` gives now. */
export async function startFixedAnswerServer(answer: () => { type: string; body: string }) {
  const server = createServer((_request, response) => {
    const { type, body } = answer();
    response.writeHead(200, { 'content-type': type });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
