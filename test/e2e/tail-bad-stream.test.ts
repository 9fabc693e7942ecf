import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, expectOneErrorLine, runCli, tempHome } from '../helpers/cli.js';
import { startFixedAnswerServer } from '../helpers/fixed-answer-server.js';

const TOKEN = generateToken();
const KILL_AFTER_MS = 15_000;

/** `audit tail` with its arguments, killed if it has not ended after KILL_AFTER_MS (code null). */
async function runTail(args: string[], env: NodeJS.ProcessEnv) {
  const started = performance.now();
  const result = await runCli(['tail', ...args], { env, killAfterMs: KILL_AFTER_MS });
  return { ...result, elapsedMs: performance.now() - started };
}

/** What the server answers to every request: 200 with this content-type and body. */
const ANSWERS = {
  'a proxy page (200 text/html)': {
    type: 'text/html; charset=utf-8',
    body: '<html><body>Sign in</body></html>',
  },
  'an event stream that closes at once': { type: 'text/event-stream', body: '' },
} as const;
type AnswerName = keyof typeof ANSWERS;

describe('audit tail against a server whose 200 answer is no usable event stream', () => {
  const home = tempHome();
  let server: Awaited<ReturnType<typeof startFixedAnswerServer>>;
  let url: string;
  let answer: AnswerName = 'a proxy page (200 text/html)';

  beforeAll(async () => {
    server = await startFixedAnswerServer(() => ANSWERS[answer]);
    url = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it('does not loop forever on a proxy page: exit 1 at once, one line naming server, status and type', async () => {
    answer = 'a proxy page (200 text/html)';
    const result = await runTail(
      ['-n', '0', '--server', url],
      cliEnv(home.configDir, { AUDIT_TOKEN: TOKEN }),
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.elapsedMs).toBeLessThan(KILL_AFTER_MS);
    expect(result.stdout).toBe('');
    expectOneErrorLine(result);
    expect(result.stderr).toContain(`the answer of ${url} to GET /api/v1/`);
    expect(result.stderr).toContain('is not an event stream (200, text/html; charset=utf-8)');
  });

  it('gives up on a stream that the server accepts and closes at once, within AUDIT_TAIL_MAX_RECONNECTS', async () => {
    answer = 'an event stream that closes at once';
    const result = await runTail(
      ['-n', '0', '--server', url],
      cliEnv(home.configDir, { AUDIT_TOKEN: TOKEN, AUDIT_TAIL_MAX_RECONNECTS: '2' }),
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.elapsedMs).toBeLessThan(KILL_AFTER_MS);
    expect(result.stderr).toContain('gave up after 2 failed reconnects: the server closed the stream');
  });
});
