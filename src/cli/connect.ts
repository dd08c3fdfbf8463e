/** Build the GitLab client from the `--url` flag, turning a bad URL into a clear message. */
import { createGitLabClient, type GitLabClient } from '../gitlab/index.ts';
import type { CliIo } from './main.ts';

export function connect(url: string, io: CliIo): GitLabClient | null {
  try {
    return createGitLabClient({ url });
  } catch (err) {
    io.err(`tabrunner: ${(err as Error).message}`);
    return null;
  }
}
