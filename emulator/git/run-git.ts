/**
 * Runs the git CLI for the emulator's own repository work (creating projects, writing refs,
 * committing). Never used for serving clients: that is `git http-backend` in `handle-git.ts`.
 */
import { spawn } from 'node:child_process';

export interface RunGitOptions {
  /** Bare repository to act on (`--git-dir`). */
  gitDir?: string;
  /** Data written to stdin. */
  input?: string | Uint8Array;
  /** Extra environment (merged over the process environment). */
  env?: Record<string, string>;
  /** Resolve with the exit code instead of rejecting on failure. */
  allowFailure?: boolean;
}

export interface RunGitResult {
  stdout: string;
  code: number;
}

/** Environment that keeps the user's and system's git config out of the emulator's repos. */
export const ISOLATED_GIT_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

/** Run `git <args>`; rejects with git's stderr when it exits non-zero (unless allowed). */
export function runGit(args: string[], options: RunGitOptions = {}): Promise<RunGitResult> {
  const fullArgs = options.gitDir ? [`--git-dir=${options.gitDir}`, ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, {
      env: { ...process.env, ...ISOLATED_GIT_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0 || options.allowFailure) return resolve({ stdout, code: code ?? -1 });
      const stderr = Buffer.concat(err).toString('utf8').trim();
      reject(new Error(`git ${args[0] ?? ''} failed (exit ${String(code)}): ${stderr}`));
    });
    child.stdin.on('error', () => undefined); // git may exit without reading stdin
    child.stdin.end(options.input ?? '');
  });
}
