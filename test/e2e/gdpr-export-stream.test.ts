import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import { stringifyJsonSafely } from '../../src/format/sanitize.js';
import {
  cliEnv,
  expectOneErrorLine,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { syntheticEvent } from '../helpers/event-pages-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const PEAK_RSS_HOOK = fileURLToPath(new URL('../helpers/report-peak-rss.mjs', import.meta.url));
const SUBJECT = 'rtl.person@example.com';
const TOKEN = generateToken();

/** A stand-in for the subject-access route: `answer(response)` writes whatever the test needs. */
async function startSubjectAccessServer(answer: (response: import('node:http').ServerResponse) => void) {
  const server: Server = createServer((request, response) => {
    request.resume();
    if (request.method === 'POST' && request.url?.endsWith('/gdpr/exports')) answer(response);
    else {
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end('{"title":"Not Found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('audit gdpr export writes the answer as it arrives', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const out = tempDir('gdpr-stream');
  let server: SpawnedServer;

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], env);
    const actor = { id: 'user_rtl', name: 'Rita \u202eevil\u202c', email: SUBJECT, type: 'user' as const };
    await ingestEvents(
      server.url,
      server.token as string,
      Array.from({ length: 2500 }, (_, n) => ({
        action: 'user.login',
        actor,
        description: n % 7 === 0 ? 'line one\nline two \u001b[31mred\u001b[0m' : `event ${n}`,
        metadata: { n, nested: { list: [n, 'ü', null] } },
      })),
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is the server's document, indented as before, events then summary, with no raw control or bidi character", async () => {
    // The answer as the API gives it, asked for first (each export is recorded, about the person).
    const answer = (await (
      await fetch(`${server.url}/api/v1/organizations/default/gdpr/exports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: SUBJECT }),
      })
    ).json()) as { data: Array<{ id: string }>; summary: { count: number } };
    const file = join(out, 'sar.json');
    const result = await runCli(['gdpr', 'export', '--user', SUBJECT, '-o', file], {
      env: { ...env, AUDIT_SERVER: server.url, AUDIT_TOKEN: server.token as string },
    });
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    const written = JSON.parse(text);
    expect(result.stderr).toBe(`Wrote ${written.summary.count} events about ${SUBJECT} to ${file}.\n`);
    expect(Object.keys(written)).toEqual(['subject', 'generated_at', 'events', 'summary']);
    // What JSON.stringify makes of the document, indented by two, made safe for a terminal.
    expect(text).toBe(`${stringifyJsonSafely(written, 2)}\n`);
    expect(written.events.length).toBe(written.summary.count);
    expect(written.events.slice(0, answer.data.length)).toEqual(answer.data);
    expect(written.events.length).toBeGreaterThanOrEqual(2500);
    for (const raw of ['\u001b', '\u202e', '\u202c']) expect(text).not.toContain(raw);
    expect(text).toContain('\\u202eevil\\u202c');
  });

  it('a person with a large history is written without holding the answer: peak memory stays far below its size', async () => {
    // About 120 MB of events, sent as the server sends them, a page at a time.
    const EVENTS = 40_000;
    const padding = 'p'.repeat(2800);
    const subjectServer = await startSubjectAccessServer((response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      let n = 0;
      const more = () => {
        while (n < EVENTS) {
          const page: string[] = [];
          for (let end = Math.min(EVENTS, n + 500); n < end; n++)
            page.push(JSON.stringify({ ...syntheticEvent(n), metadata: { padding } }));
          if (!response.write(`${n === page.length ? '{"data":[' : ','}${page.join(',')}`)) {
            response.once('drain', more);
            return;
          }
        }
        response.end(
          `],"summary":${JSON.stringify({ count: EVENTS, by_category: {}, first: null, last: null })}}`,
        );
      };
      more();
    });
    const usageFile = join(out, 'usage.json');
    const file = join(out, 'large.json');
    try {
      const result = await runCli(['gdpr', 'export', '--user', SUBJECT, '-o', file], {
        env: {
          ...env,
          AUDIT_SERVER: subjectServer.url,
          AUDIT_TOKEN: TOKEN,
          NODE_OPTIONS: `--import ${PEAK_RSS_HOOK}`,
          PEAK_RSS_FILE: usageFile,
        },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe(`Wrote 40000 events about ${SUBJECT} to ${file}.\n`);
    } finally {
      await subjectServer.close();
    }
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKB: number };
    console.info(
      `a 120 MB subject-access answer written with a peak RSS of ${Math.round(usage.maxRssKB / 1024)} MB`,
    );
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(120_000_000);
    // Held whole, the answer alone is 120 MB of text and several times that parsed.
    expect(usage.maxRssKB).toBeLessThan(200 * 1024);
    const tail = bytes.subarray(-200).toString();
    expect(tail).toMatch(/\n {2}\],\n {2}"summary": \{\n {4}"count": 40000,[\s\S]*\n {2}\}\n\}\n$/);
  }, 120_000);

  it('an answer that is cut short leaves no file under the name, and says so in one line (exit 1)', async () => {
    const subjectServer = await startSubjectAccessServer((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(
        `{"data":[${JSON.stringify(syntheticEvent(1))},${JSON.stringify(syntheticEvent(2)).slice(0, 40)}`,
      );
      setTimeout(() => response.socket?.destroy(), 50);
    });
    const file = join(out, 'cut.json');
    try {
      const result = await runCli(['gdpr', 'export', '--user', SUBJECT, '-o', file], {
        env: { ...env, AUDIT_SERVER: subjectServer.url, AUDIT_TOKEN: TOKEN },
      });
      expect(result.code).toBe(1);
      expectOneErrorLine(result);
      expect(result.stderr).toMatch(
        /^audit: cannot reach http:\/\/127\.0\.0\.1:\d+: connection closed unexpectedly/,
      );
    } finally {
      await subjectServer.close();
    }
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(out).filter((name) => name.startsWith('cut.json'))).toEqual([]);
  });

  /** `audit gdpr export -o <name>` against a server that answers `body`; no file may be left under `name`. */
  const refusedAnswer = async (name: string, body: string) => {
    const subjectServer = await startSubjectAccessServer((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    const file = join(out, name);
    try {
      const result = await runCli(['gdpr', 'export', '--user', SUBJECT, '-o', file], {
        env: { ...env, AUDIT_SERVER: subjectServer.url, AUDIT_TOKEN: TOKEN },
      });
      expect(result.code).toBe(1);
      expectOneErrorLine(result);
      expect(result.stderr).toBe(
        `audit: the answer of ${subjectServer.url} to POST /api/v1/organizations/default/gdpr/exports is JSON but not a subject-access export (200, application/json); is ${subjectServer.url} an audit server?\n`,
      );
    } finally {
      await subjectServer.close();
    }
    expect(readdirSync(out).filter((name_) => name_.startsWith(name))).toEqual([]);
  };
  const event = (n: number) => JSON.stringify(syntheticEvent(n));
  const summary = (count: unknown) => JSON.stringify({ count, by_category: {}, first: null, last: null });

  it('a summary whose count is an escape sequence never reaches the terminal: refused in one line, exit 1, no file', async () => {
    for (const [n, count] of ['1\u001b]0;owned-title\u0007\u001b[2J', -1, 1.5, null, { n: 1 }].entries())
      await refusedAnswer(`count-${n}.json`, `{"data":[${event(1)}],"summary":${summary(count)}}`);
  });

  it('an answer with a second data or summary member is refused rather than written with duplicate keys', async () => {
    await refusedAnswer(
      'data-twice.json',
      `{"data":[${event(1)}],"summary":${summary(1)},"data":[${event(2)}]}`,
    );
    await refusedAnswer(
      'summary-twice.json',
      `{"data":[${event(1)}],"summary":${summary(1)},"summary":${summary(9)}}`,
    );
    await refusedAnswer(
      'summary-first.json',
      `{"summary":${summary(1)},"data":[${event(1)}],"summary":${summary(1)}}`,
    );
  });

  it('a proxy that answers with a 200 HTML page: one line naming the server, exit 1, no file', async () => {
    const subjectServer = await startSubjectAccessServer((response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Sign in</body></html>');
    });
    const file = join(out, 'html.json');
    try {
      const result = await runCli(['gdpr', 'export', '--user', SUBJECT, '-o', file], {
        env: { ...env, AUDIT_SERVER: subjectServer.url, AUDIT_TOKEN: TOKEN },
      });
      expect(result.code).toBe(1);
      expectOneErrorLine(result);
      expect(result.stderr).toBe(
        `audit: the answer of ${subjectServer.url} to POST /api/v1/organizations/default/gdpr/exports is not JSON (200, text/html); is ${subjectServer.url} an audit server?\n`,
      );
    } finally {
      await subjectServer.close();
    }
    expect(readdirSync(out).filter((name) => name.startsWith('html.json'))).toEqual([]);
  });
});
