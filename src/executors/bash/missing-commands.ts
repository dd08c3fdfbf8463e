/**
 * What a CI script calls that a sandbox cannot offer, and what to say instead. just-bash's own
 * message is a bare `bash: node: command not found` (exit 127); the stage adds one line saying
 * why and what to do. Each executor has its own table (the shell executor has no Node, a
 * WebContainer has no git); the commands stay unregistered, so `command -v` tells the truth.
 */

/** Advice for a missing command, e.g. "needs Node.js; run this job with the webcontainer executor". */
export type MissingCommandHint = (name: string) => string;

const NOT_FOUND = /^bash: ([^\s:]+): command not found$/gm;

/**
 * Adds a hint after each "command not found" line in a stderr chunk. just-bash writes a
 * command's stderr in one piece, so a message is never split across chunks.
 */
export function addMissingCommandHints(stderr: string, hint: MissingCommandHint): string {
  return stderr.replace(
    NOT_FOUND,
    (line, name: string) => `${line}\ntabrunner: \`${name}\` is not available: ${hint(name)}.`,
  );
}

/** A hint from a table, with a fallback for names it does not list. */
export function hintsFrom(table: Record<string, string>, fallback: string): MissingCommandHint {
  return (name) => (Object.hasOwn(table, name) ? (table[name] ?? fallback) : fallback);
}

const NO_NETWORK = 'there is no network access for shell commands in the tab';
const NO_PYTHON = 'there is no Python in the tab';
const NO_INSTALL = 'there is no package manager; nothing can be installed';

/** What neither sandbox of a browser tab has. */
export const TAB_HINTS: Record<string, string> = {
  git: 'there is no git in the tab; the runner has already checked out the sources',
  curl: NO_NETWORK,
  wget: NO_NETWORK,
  ssh: NO_NETWORK,
  scp: NO_NETWORK,
  rsync: NO_NETWORK,
  python: NO_PYTHON,
  python3: NO_PYTHON,
  pip: NO_PYTHON,
  pip3: NO_PYTHON,
  docker: 'there are no containers in a browser tab',
  podman: 'there are no containers in a browser tab',
  sudo: 'there is no sudo; a job runs everything in one sandbox',
  trap: "tabrunner's shell (just-bash) has no `trap`; put clean-up in `after_script:`",
  mktemp: 'there is no mktemp; use a path under $CI_PROJECT_DIR or /tmp',
  'apt-get': NO_INSTALL,
  apt: NO_INSTALL,
  apk: NO_INSTALL,
  yum: NO_INSTALL,
};
