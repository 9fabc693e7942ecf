/** The questions `audit login` asks on a terminal: server, organization and the token, masked. */
import { checkTokenFormat } from '../../domain/token.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { sentenceFragment } from '../session.js';

/** A mistyped token is asked for again this many times in all; then login refuses it. */
export const TOKEN_TRIES = 3;

export interface LoginAnswers {
  server: string;
  org: string | undefined;
  token: string;
}

export async function askLogin(
  context: CliContext,
  defaults: { server: string; org: string | undefined },
): Promise<LoginAnswers> {
  const prompts = await import('@inquirer/prompts');
  const io = { input: context.stdin, output: context.stderr as NodeJS.WriteStream };
  try {
    const server = await prompts.input({ message: 'Server URL', default: defaults.server }, io);
    const org =
      (await prompts.input(
        { message: "Organization (empty: the token's own)", default: defaults.org ?? '' },
        io,
      )) || undefined;
    let tries = 0;
    const token = await prompts.password(
      {
        message: 'API token',
        mask: '*',
        // Ctrl-T would show the token in clear on the screen (and in any recording of it).
        toggleMask: false,
        // Shape and checksum only, before anything is sent: a mistyped or cut token is asked
        // for again with the reason; the last try goes through to be refused with it.
        validate: (value) => {
          const check = checkTokenFormat(value.trim());
          if (check.ok) return true;
          tries++;
          if (tries >= TOKEN_TRIES) return true;
          return `${sentenceFragment(check.reason)}; paste it again (try ${tries + 1} of ${TOKEN_TRIES})`;
        },
      },
      io,
    );
    return { server, org, token: token.trim() };
  } catch (error) {
    // Ctrl-C at a question: inquirer's ExitPromptError.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new CliError('login cancelled; nothing was saved', EXIT.interrupted);
    }
    throw error;
  }
}
