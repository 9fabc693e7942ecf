import type { Command } from 'commander';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import type { Shell } from './shells.js';
import { completionTree } from './tree.js';
import { zshScript } from './zsh.js';

export { SHELLS, type Shell } from './shells.js';

/** The completion script for `shell`, generated from the program's command tree. */
export function completionScript(shell: Shell, program: Command): string {
  const specs = completionTree(program);
  if (shell === 'bash') return bashScript(specs);
  if (shell === 'zsh') return zshScript(specs);
  return fishScript(specs);
}

/** Where each shell's script goes in the package (`completions/`). */
export const COMPLETION_FILES: Record<Shell, string> = {
  bash: 'audit.bash',
  zsh: 'audit.zsh',
  fish: 'audit.fish',
};
