import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cliEnv, startServerProcess, tempHome } from '../helpers/cli.js';

describe('audit server start: limits on streams and connections', () => {
  it('--streams-per-token, --streams-per-ip and --max-connections set the caps', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const server = await startServerProcess(
      ['--db', home.dbFile, '--streams-per-token', '1', '--streams-per-ip', '5', '--max-connections', '3'],
      env,
    );
    const stream = `${server.url}/api/v1/organizations/default/audit-logs/stream`;
    const headers = { authorization: `Bearer ${server.token}` };
    const first = new AbortController();
    expect((await fetch(stream, { headers, signal: first.signal })).status).toBe(200);
    const second = await fetch(stream, { headers });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).not.toBeNull();
    first.abort();

    // Three connections are the cap: a fourth is dropped at once.
    const { port } = new URL(server.url);
    const sockets = await Promise.all(
      [1, 2, 3, 4].map(
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
            socket.on('error', () => {});
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sockets.filter((socket) => socket.destroyed || socket.readableEnded).length).toBeGreaterThan(0);
    for (const socket of sockets) socket.destroy();
    await server.stop();
  });

  it('--exports-per-token caps the export streams one token holds at once', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const server = await startServerProcess(['--db', home.dbFile, '--exports-per-token', '1'], env);
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const logs = `${server.url}/api/v1/organizations/default/audit-logs`;
    // Enough bytes that an unread export waits on its socket rather than finishing at once.
    const padding = 'p'.repeat(4000);
    for (let batch = 0; batch < 8; batch++) {
      const events = Array.from({ length: 1000 }, () => ({ action: 'user.login', metadata: { padding } }));
      expect((await fetch(logs, { method: 'POST', headers, body: JSON.stringify({ events }) })).status).toBe(
        201,
      );
    }
    const first = new AbortController();
    const held = await fetch(`${logs}/export`, { headers, signal: first.signal });
    expect(held.status).toBe(200);
    const second = await fetch(`${logs}/export`, { headers });
    expect(second.status).toBe(429);
    expect(((await second.json()) as { type: string }).type).toMatch(/too-many-exports$/);
    first.abort();
    await server.stop();
  });

  it('refuses a cap that is not a positive whole number', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    await expect(
      startServerProcess(['--db', home.dbFile, '--streams-per-token', '0'], env, 5000),
    ).rejects.toThrow(/--streams-per-token/);
    await expect(
      startServerProcess(['--db', home.dbFile, '--exports-per-token', '1001'], env, 5000),
    ).rejects.toThrow(/--exports-per-token/);
  });
});
