/**
 * Test support: the git CLI as a participant runs it against the emulator or a test server,
 * kept from the user's and the system's git config (an identity, a credential helper or a
 * rewrite rule there would change what a test proves) and never prompting, so a refused
 * credential fails the command instead of waiting for input.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The environment every test's `git` runs in: no outside config, no prompts, one identity. */
export const GIT_CLI_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Participant',
  GIT_AUTHOR_EMAIL: 'participant@example.com',
  GIT_COMMITTER_NAME: 'Participant',
  GIT_COMMITTER_EMAIL: 'participant@example.com',
};

/** Run `git <args>` in `cwd`; resolves with its stdout trimmed, rejects when git fails. */
export async function git(args: string[], cwd?: string): Promise<string> {
  return (await exec('git', args, { cwd, env: GIT_CLI_ENV })).stdout.trim();
}

/**
 * Run `git <args>` that must fail; resolves with git's stderr (what a participant reads), and
 * fails the test when git succeeds.
 */
export async function gitFails(args: string[], cwd?: string): Promise<string> {
  try {
    await exec('git', args, { cwd, env: GIT_CLI_ENV });
  } catch (error) {
    return String((error as { stderr?: unknown }).stderr);
  }
  throw new Error(`git ${args.join(' ')} unexpectedly succeeded`);
}
