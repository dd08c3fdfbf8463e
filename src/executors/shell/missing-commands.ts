/**
 * What CI scripts commonly call that the shell executor cannot offer, and what to say instead.
 * just-bash has only its built-in commands (`help` lists them): no Node.js, no git, no network,
 * no package managers, no compilers. Its own message is a bare `bash: node: command not found`
 * (exit 127); the session adds one line saying why and what to do. The commands stay
 * unregistered, so `command -v node` keeps telling scripts the truth.
 */

const NODE = 'needs Node.js; run this job with the webcontainer executor';
const NO_NETWORK = 'the shell executor has no network access';
const NO_PROGRAMS = 'the shell executor only has just-bash built-ins (run `help` to list them)';

const HINTS: Record<string, string> = {
  node: NODE,
  npm: NODE,
  npx: NODE,
  yarn: NODE,
  pnpm: NODE,
  corepack: NODE,
  tsc: NODE,
  bun: NODE,
  deno: 'Deno is not available; Node jobs can use the webcontainer executor',
  git: 'there is no git in the shell executor; the runner has already checked out the sources',
  curl: NO_NETWORK,
  wget: NO_NETWORK,
  ssh: NO_NETWORK,
  scp: NO_NETWORK,
  rsync: NO_NETWORK,
  python: 'there is no Python in the shell executor',
  python3: 'there is no Python in the shell executor',
  pip: 'there is no Python in the shell executor',
  pip3: 'there is no Python in the shell executor',
  docker: 'there are no containers in a browser tab',
  podman: 'there are no containers in a browser tab',
  sudo: 'there is no sudo; the shell executor runs everything in one sandbox',
  'apt-get': 'there is no package manager; nothing can be installed',
  apt: 'there is no package manager; nothing can be installed',
  apk: 'there is no package manager; nothing can be installed',
  yum: 'there is no package manager; nothing can be installed',
  make: NO_PROGRAMS,
  gcc: NO_PROGRAMS,
  cc: NO_PROGRAMS,
  go: NO_PROGRAMS,
  cargo: NO_PROGRAMS,
  java: NO_PROGRAMS,
  ruby: NO_PROGRAMS,
  perl: NO_PROGRAMS,
  zip: NO_PROGRAMS,
  unzip: NO_PROGRAMS,
};

const NOT_FOUND = /^bash: ([^\s:]+): command not found$/gm;

/**
 * Adds a hint after each "command not found" line in a stderr chunk. just-bash writes a
 * command's stderr in one piece, so a message is never split across chunks.
 */
export function addMissingCommandHints(stderr: string): string {
  return stderr.replace(NOT_FOUND, (line, name: string) => {
    const hint = Object.hasOwn(HINTS, name) ? HINTS[name] : NO_PROGRAMS;
    return `${line}\ntabrunner: \`${name}\` is not available: ${hint}.`;
  });
}
