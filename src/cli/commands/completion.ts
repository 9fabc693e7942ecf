import { Argument, Command } from 'commander';
import { SHELLS, type Shell } from '../completion/shells.js';
import type { CliContext } from '../context.js';

const INSTALL = `
How to install (the same scripts ship in the package's completions/ directory):

  bash   (plain bash 4+; the bash-completion package is not needed)
    $ audit completion bash > ~/.audit-completion.bash
    $ echo 'source ~/.audit-completion.bash' >> ~/.bashrc
    or, with bash-completion installed:
    $ audit completion bash > ~/.local/share/bash-completion/completions/audit

  zsh
    $ mkdir -p ~/.zfunc && audit completion zsh > ~/.zfunc/_audit
    then in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit
    or, after compinit in ~/.zshrc:  source <(audit completion zsh)

  fish
    $ audit completion fish > ~/.config/fish/completions/audit.fish

Open a new shell afterwards. Regenerate after upgrading audit: new commands and flags come
with new versions.

Examples:
  $ audit completion bash > ~/.audit-completion.bash && source ~/.audit-completion.bash
  $ audit completion zsh > "\${fpath[1]}/_audit"
  $ audit completion fish | source            # try it in the current fish session
`;

/** `audit completion bash|zsh|fish`: the completion script, generated from this program's tree. */
export function completionCommand(context: CliContext): Command {
  return new Command('completion')
    .description('print the shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText('after', INSTALL)
    .action(async (shell: Shell, _options: unknown, command: Command) => {
      let root = command;
      while (root.parent) root = root.parent;
      const { completionScript } = await import('../completion/index.js');
      context.stdout.write(completionScript(shell, root));
    });
}
