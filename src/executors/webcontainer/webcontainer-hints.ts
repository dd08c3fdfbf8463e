/**
 * What the WebContainer executor says when a job calls a command it does not have. The line's
 * shell has just-bash's commands; the container adds its programs (program-commands.ts).
 */
import { hintsFrom, TAB_HINTS } from '../bash/missing-commands.ts';
import { PROGRAMS } from './program-commands.ts';

export const webContainerHint = hintsFrom(
  TAB_HINTS,
  `the WebContainer executor starts ${[...PROGRAMS].join(', ')}; run a package's tool with ` +
    '`npx <tool>` or an npm script, and shell commands come from just-bash (`help` lists them)',
);
