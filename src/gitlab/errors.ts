/**
 * Errors `src/gitlab` throws. Expected protocol outcomes are values (discriminated unions), not
 * errors: these are configuration mistakes and bugs. Messages never contain a token.
 */
import { TabrunnerError } from '../errors/index.ts';

/** The configured GitLab URL cannot be used (docs/runner-protocol.md §1.1). */
export class InvalidGitLabUrlError extends TabrunnerError<{ url: string; reason: string }> {
  static readonly code = 'InvalidGitLabUrlError';
  constructor(url: string, reason: string) {
    super(
      InvalidGitLabUrlError.code,
      `The GitLab URL "${url}" cannot be used: ${reason}. Give the instance URL, e.g. https://gitlab.example.com.`,
      { url, reason },
    );
  }
}

/** A client method was called in a way its contract forbids (a bug in the caller). */
export class GitLabClientUsageError extends TabrunnerError<{ what: string }> {
  static readonly code = 'GitLabClientUsageError';
  constructor(what: string) {
    super(GitLabClientUsageError.code, `Invalid use of the GitLab client: ${what}.`, { what });
  }
}

/**
 * A call got no answer from GitLab in `ms`, and was given up: a server that accepts the
 * connection and never answers would otherwise hold it for minutes.
 */
export class GitLabTimeoutError extends TabrunnerError<{ what: string; ms: number }> {
  static readonly code = 'GitLabTimeoutError';
  constructor(what: string, ms: number) {
    super(
      GitLabTimeoutError.code,
      `${what} got no answer within ${Math.round(ms / 1000)} s. Check that the GitLab URL points at GitLab and that it is up, then try again.`,
      { what, ms },
    );
  }
}
