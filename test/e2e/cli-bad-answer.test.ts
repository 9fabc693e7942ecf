import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, expectOneErrorLine, runCli, tempHome } from '../helpers/cli.js';
import { startFixedAnswerServer } from '../helpers/fixed-answer-server.js';

const TOKEN = generateToken();

/** What the server answers to every request: 200, this content-type, this body. */
const ANSWERS = {
  'a proxy login page': { type: 'text/html; charset=utf-8', body: '<html><body>Sign in</body></html>' },
  'JSON that does not parse': { type: 'application/json', body: '{"data": [' },
  'a JSON array': { type: 'application/json', body: '[]' },
  'a JSON string': { type: 'application/json', body: '"x"' },
  'an object without the fields': { type: 'application/json', body: '{"data": "x"}' },
} as const;
type AnswerName = keyof typeof ANSWERS;

describe('a 200 answer that is not the API (a proxy page, a wrong --server) ends in one line, exit 1', () => {
  const home = tempHome();
  let server: Awaited<ReturnType<typeof startFixedAnswerServer>>;
  let url: string;
  let answer: AnswerName = 'a proxy login page';

  beforeAll(async () => {
    server = await startFixedAnswerServer(() => ANSWERS[answer]);
    url = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  const commands = [
    ['logs', ['logs']],
    ['whoami', ['whoami']],
    ['search', ['search', 'login']],
  ] as const;
  const cases = commands.flatMap(([command, args]) =>
    (Object.keys(ANSWERS) as AnswerName[]).map((name) => [command, name, args] as const),
  );

  it.each(cases)(
    'audit %s given %s says what the answer was and which server',
    async (_command, name, args) => {
      answer = name;
      const result = await runCli([...args, '--server', url], {
        env: cliEnv(home.configDir, { AUDIT_TOKEN: TOKEN }),
      });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      expectOneErrorLine(result);
      expect(result.stderr).not.toContain('unexpected error');
      expect(result.stderr).toContain(`the answer of ${url} to GET /api/v1/`);
      const { type } = ANSWERS[name];
      const parses = name !== 'a proxy login page' && name !== 'JSON that does not parse';
      expect(result.stderr).toContain(parses ? `is JSON but not` : `is not JSON (200, ${type})`);
      expect(result.stderr).toMatch(new RegExp(`; is ${url.replace(/\./g, '\\.')} an audit server\\?\\n$`));
    },
  );
});
