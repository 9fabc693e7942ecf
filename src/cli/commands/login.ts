import { Command } from 'commander';
import { configDir } from '../../config/paths.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { AuthError, UsageError } from '../errors.js';
import { examples } from '../parse-options.js';
import { readAllText } from '../read-all-text.js';
import { asUsageError, openSession, sentenceFragment } from '../session.js';

export function loginCommand(context: CliContext): Command {
  return new Command('login')
    .description('sign in to an audit-log server and save the token in a profile (file mode 0600)')
    .option('--with-token', 'read the token from standard input instead of prompting')
    .addHelpText(
      'after',
      examples(
        '$ audit login                                   # prompts for server, organization and token',
        '$ audit login --server https://audit.example.com --with-token < token.txt',
        '$ audit server token create --user me@example.com | audit login --with-token --profile local',
      ),
    )
    .action(async (options: { withToken?: boolean }, command: Command) => {
      const session = await openSession(context, command);
      const current = await session.connection();
      let server = session.flags.server ?? current.server;
      let org = session.flags.org ?? context.env.AUDIT_ORG;
      let token: string;
      if (options.withToken) {
        token = (await readAllText(context.stdin)).trim().split(/\r?\n/)[0]?.trim() ?? '';
        if (!token) throw new UsageError('--with-token: nothing on standard input; pipe the token in');
      } else if (context.stdin.isTTY && context.stderr.isTTY) {
        const { askLogin } = await import('./login-prompts.js');
        ({ server, org, token } = await askLogin(context, { server, org }));
      } else {
        throw new UsageError('no terminal to prompt on: pipe the token in with --with-token');
      }

      // Loaded here: its checksum needs node:zlib, which `audit --help` builds this command without.
      const { checkTokenFormat } = await import('../../domain/token.js');
      const check = checkTokenFormat(token);
      if (!check.ok) throw new AuthError(`that token is not valid: ${sentenceFragment(check.reason)}`);

      const client = await session.client({ token, server, requireToken: false });
      const me = await client.me().catch((error: unknown) => {
        if ((error as { status?: number }).status === 401) {
          throw new AuthError(`${server} refused this token (unknown or revoked); nothing was saved`);
        }
        throw error;
      });
      if (org !== undefined && org !== me.organization.slug) {
        throw new AuthError(`this token belongs to organization "${me.organization.slug}", not "${org}"`);
      }
      const { openProfileStore } = await import('../../config/profile-store.js');
      const store = openProfileStore(configDir(context.env));
      asUsageError(() =>
        store.saveActive(current.profile, {
          server: server.replace(/\/+$/, ''),
          org: me.organization.slug,
          token,
        }),
      );
      // What the server says about the user is its text: shown without control characters.
      writeLine(
        context.stderr,
        sanitizeForDisplay(
          `Logged in to ${server} as ${me.user.email} (${me.user.role}) in organization ${me.organization.slug}; ` +
            `saved as profile "${current.profile}".`,
        ),
      );
      if (context.env.AUDIT_TOKEN) {
        writeLine(context.stderr, 'Note: AUDIT_TOKEN is set and takes precedence over the saved token.');
      }
    });
}
