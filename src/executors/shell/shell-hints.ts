/**
 * What the shell executor says when a job calls a program it does not have: just-bash has only
 * its built-in commands (`help` lists them), so no Node.js, package managers or compilers.
 */
import { hintsFrom, TAB_HINTS } from '../bash/missing-commands.ts';

const NODE = 'needs Node.js; run this job with the webcontainer executor';
const NO_PROGRAMS = 'the shell executor only has just-bash built-ins (run `help` to list them)';

export const shellHint = hintsFrom(
  {
    ...TAB_HINTS,
    node: NODE,
    npm: NODE,
    npx: NODE,
    yarn: NODE,
    pnpm: NODE,
    corepack: NODE,
    tsc: NODE,
    bun: NODE,
    deno: 'Deno is not available; Node jobs can use the webcontainer executor',
  },
  NO_PROGRAMS,
);
