import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Contract, contractOf } from './openapi-contract.js';

export interface ContractProxy {
  /** http://127.0.0.1:PORT; point the client at it (AUDIT_SERVER) instead of the server. */
  url: string;
  /** Every way an answer broke the server's /openapi.json, in order. */
  violations: string[];
  /** How many answers were checked. */
  checked(): number;
  close(): Promise<void>;
}

/**
 * A contract-validating proxy, as Prism is: it passes every request to the real server and
 * holds each answer against the server's own /openapi.json (see openapi-contract). An event
 * stream's status, media type and headers are checked; its endless body is passed on as it comes.
 */
export async function startContractProxy(target: string): Promise<ContractProxy> {
  const contract: Contract = contractOf(await (await fetch(`${target}/openapi.json`)).text());
  const violations: string[] = [];
  let count = 0;
  const server = createServer((incoming, outgoing) => {
    const upstream = forward(
      new URL(incoming.url ?? '/', target),
      { method: incoming.method, headers: { ...incoming.headers, host: new URL(target).host } },
      (answer) => {
        const base = {
          method: incoming.method ?? 'GET',
          url: incoming.url ?? '/',
          status: answer.statusCode ?? 0,
          headers: answer.headers,
        };
        const record = (body?: string) => {
          count++;
          violations.push(...(contract.check({ ...base, body }) ?? []));
        };
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        if (String(answer.headers['content-type']).startsWith('text/event-stream')) {
          record();
          answer.pipe(outgoing);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          record(body.toString('utf8'));
          outgoing.end(body);
        });
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    violations,
    checked: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
