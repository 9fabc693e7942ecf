import { execa } from 'execa';

/** The `crontab` command is not on PATH (a container, macOS without cron, Windows). */
export class NoCrontabError extends Error {
  override readonly name = 'NoCrontabError';
  constructor() {
    super(
      'no crontab command found on PATH; run audit backup schedule --print for the line, a systemd timer or a Kubernetes CronJob',
    );
  }
}

/** `crontab` ran and refused: its own first line of stderr says why. */
export class CrontabError extends Error {
  override readonly name = 'CrontabError';
}

function fromSpawnError(error: unknown, action: string): Error {
  const failure = error as { code?: string; stderr?: string; shortMessage?: string; message?: string };
  if (failure.code === 'ENOENT') return new NoCrontabError();
  const reason = (failure.stderr ?? '').trim().split('\n')[0] || failure.shortMessage || failure.message;
  return new CrontabError(`crontab ${action} failed: ${reason}`);
}

/** The user's crontab as `crontab -l` prints it; '' when the user has none yet. */
export async function readCrontab(env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const result = await execa('crontab', ['-l'], { env, stripFinalNewline: false, reject: false });
    if (result.exitCode === 0) return String(result.stdout);
    if (/no crontab for/i.test(String(result.stderr))) return '';
    throw result;
  } catch (error) {
    throw fromSpawnError(error, '-l');
  }
}

/** Installs `text` as the user's whole crontab (`crontab -` reads it from stdin). */
export async function writeCrontab(text: string, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await execa('crontab', ['-'], { env, input: text });
  } catch (error) {
    throw fromSpawnError(error, '-');
  }
}
