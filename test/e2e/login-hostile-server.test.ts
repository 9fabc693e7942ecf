import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { startFixedAnswerServer } from '../helpers/fixed-answer-server.js';

// An OSC 52 (write the clipboard), a title change and a screen clear, as a server might send them.
const HOSTILE = '\u001b]52;c;aGk=\u0007\u001b]0;owned\u0007\u001b[2J';

const me = {
  user: { id: 'user_1', name: 'n', email: `eve${HOSTILE}@example.com`, role: `owner${HOSTILE}`, team: null },
  organization: { slug: `acme${HOSTILE}`, name: 'Acme', plan: 'free', retention_days: null },
  token: { prefix: 'adt_x', scope: 'read', name: null },
};

describe('audit login against a server that answers with escape sequences', () => {
  const home = tempHome();
  let server: Awaited<ReturnType<typeof startFixedAnswerServer>>;

  beforeAll(async () => {
    server = await startFixedAnswerServer(() => ({ type: 'application/json', body: JSON.stringify(me) }));
  });
  afterAll(async () => {
    await server.close();
  });

  it("a hostile server's user, role and organization reach the terminal without their escape sequences", async () => {
    const result = await runCli(['login', '--server', server.url, '--with-token'], {
      env: cliEnv(home.configDir),
      input: `${generateToken()}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Logged in to');
    expect(result.stderr).toContain('eve');
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u0007');
  });
});
