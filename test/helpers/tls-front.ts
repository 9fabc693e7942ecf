/**
 * TLS in front of a plain-http server, with certificates made by the `openssl` binary: a private
 * CA and leaf certificates for 127.0.0.1 (good, for another host name, expired), and a
 * self-signed one. `hasOpenssl()` is false where the binary is missing: the tests skip then.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Certificates {
  /** The private CA's certificate file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  good: KeyPair;
  wrongHost: KeyPair;
  expired: KeyPair;
  selfSigned: KeyPair;
}

export interface KeyPair {
  key: string;
  cert: string;
}

const CA_CONFIG = `[ca]
default_ca = test
[test]
database = index.txt
serial = serial
new_certs_dir = .
default_md = sha256
policy = any
unique_subject = no
copy_extensions = copy
[any]
commonName = supplied
`;

export function makeCertificates(): Certificates {
  const dir = tempDir('tls');
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const file = (name: string) => join(dir, name);
  writeFileSync(file('ca.cnf'), CA_CONFIG);
  writeFileSync(file('index.txt'), '');
  writeFileSync(file('serial'), '01\n');
  const newKey = (name: string, subject: string, san: string) =>
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
      '-addext',
      `subjectAltName=${san}`,
    );
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=audit test CA',
  );
  const sign = (name: string, dates: string[]) =>
    run(
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.pem',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
      ...dates,
    );
  newKey('good', '/CN=127.0.0.1', 'IP:127.0.0.1');
  sign('good', ['-days', '2']);
  newKey('wrong-host', '/CN=other.example', 'DNS:other.example');
  sign('wrong-host', ['-days', '2']);
  newKey('expired', '/CN=127.0.0.1', 'IP:127.0.0.1');
  sign('expired', ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  );
  const pair = (key: string, cert: string) => ({
    key: readFileSync(file(key), 'utf8'),
    cert: readFileSync(file(cert), 'utf8'),
  });
  return {
    caFile: file('ca.pem'),
    good: pair('good.key', 'good.pem'),
    wrongHost: pair('wrong-host.key', 'wrong-host.pem'),
    expired: pair('expired.key', 'expired.pem'),
    selfSigned: pair('self.key', 'self.pem'),
  };
}

/** An https server on 127.0.0.1 that passes every request on to `target` (plain http). */
export async function startTlsFront(pair: KeyPair, target: string) {
  const upstream = new URL(target);
  const server: Server = createServer(pair, (incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  // A handshake the client refuses is the point of these tests, not an error of the server's.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
