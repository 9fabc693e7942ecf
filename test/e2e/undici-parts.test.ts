import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const UNDICI_PARTS = fileURLToPath(new URL('../../dist/client/undici.js', import.meta.url));

// In a process of its own: the test runner has long since loaded undici's entry point itself.
const SCRIPT = `
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
const { undici } = await import(process.argv[1]);
const server = createServer((request, response) => response.end(request.method + ' ' + request.url));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { Agent, request } = undici();
const agent = new Agent();
const answer = await request('http://127.0.0.1:' + server.address().port + '/p?q=1', { dispatcher: agent });
const body = await answer.body.text();
await agent.close();
server.close();
const loaded = Object.keys(createRequire(process.argv[1]).cache).filter((file) => file.includes('undici'));
const otherApis = loaded.filter((file) => /api-(stream|pipeline|upgrade|connect).js$/.test(file));
console.log(JSON.stringify({ status: answer.statusCode, body, entryLoaded: loaded.some((file) => file.endsWith('undici/index.js')), otherApis, parts: loaded.length }));
`;

describe("the client's undici parts", () => {
  it('answers requests without loading the entry point (fetch, WebSocket, …) nor the APIs besides request', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, UNDICI_PARTS], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 200, body: 'GET /p?q=1', entryLoaded: false, otherApis: [] });
    expect(result.parts).toBeGreaterThan(0);
  });
});
