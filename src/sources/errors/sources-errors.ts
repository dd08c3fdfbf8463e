/**
 * The failure families of getting sources. Each carries a `code` equal to its class name and
 * `data` with facts only (URLs without credentials, SHAs, ref names): never the job token.
 * Cancellation is not one of them: an aborted job rejects with its signal's `reason`.
 */
import { TabrunnerError } from '../../errors/index.ts';

/** The git server refused the job's credentials (HTTP 401/403). */
export class SourcesAuthError extends TabrunnerError<{ url: string; status: number }> {
  constructor(data: { url: string; status: number }) {
    super(
      'SourcesAuthError',
      `The git server refused the job token for ${data.url} (HTTP ${data.status}). ` +
        'The job token may have expired or the job was canceled; retry the job, and check that ' +
        'the project allows CI job token access.',
      data,
    );
  }
}

/**
 * The commit GitLab asked for is not what the server sent. Tabrunner never runs other code than
 * `git_info.sha`, so the job fails here.
 */
export class SourcesCommitError extends TabrunnerError<{ sha: string; tried: string[] }> {
  constructor(data: { sha: string; tried: string[] }) {
    super(
      'SourcesCommitError',
      `The git server did not send commit ${data.sha}, which GitLab asked this job to run ` +
        `(fetched: ${data.tried.join(', ') || 'nothing'}). The commit may have been removed by a ` +
        'force push, or the server hides it; retry the pipeline from a current commit.',
      data,
    );
  }
}

/** The fetch failed for a reason other than credentials: network, relay, server, missing repo. */
export class SourcesFetchError extends TabrunnerError<{
  url: string;
  status?: number;
  reason: string;
}> {
  constructor(data: { url: string; status?: number; reason: string }) {
    super(
      'SourcesFetchError',
      `Fetching ${data.url} failed: ${data.reason}. Check that the git server (or the CORS relay ` +
        'in front of it) is reachable from this runner.',
      data,
    );
  }
}

/** The job's `git_info` or settings cannot be served (bad SHA, unsupported object format). */
export class SourcesConfigError extends TabrunnerError<{ field: string; reason: string }> {
  constructor(data: { field: string; reason: string }) {
    super('SourcesConfigError', `Cannot get sources: ${data.field} ${data.reason}.`, data);
  }
}

/** The persistent source store failed (quota, corrupt store). */
export class SourcesStoreError extends TabrunnerError<{ projectKey: string; reason: string }> {
  constructor(data: { projectKey: string; reason: string }, options?: { cause?: unknown }) {
    super(
      'SourcesStoreError',
      `The source store for ${data.projectKey} failed: ${data.reason}. Clear the project's store ` +
        'and retry.',
      data,
      options,
    );
  }
}

/**
 * The git server sent a pack that is not what it claims: a checksum, object or delta does not
 * add up, or a tree names an object that is missing or a path git itself refuses. Nothing of it
 * is checked out (a tree refused after the pack was indexed leaves the pack in the store, where
 * the next fetch may reuse its sound objects).
 */
export class SourcesPackError extends TabrunnerError<{ reason: string }> {
  constructor(data: { reason: string }) {
    super(
      'SourcesPackError',
      `The git server sent a corrupt or incomplete pack: ${data.reason}. Nothing of it was ` +
        'checked out; retry the job, and check the git server (or the relay in front of it) if it ' +
        'repeats.',
      data,
    );
  }
}

const MIB = 1024 * 1024;

/** A size limit as a limit error says it: whole MiB from 1 MiB up, bytes below. */
export function formatLimit(bytes: number): string {
  return bytes >= MIB ? `${Math.floor(bytes / MIB)} MiB` : `${bytes} bytes`;
}

/**
 * The checkout is more than a tab can hold: too many files or bytes (a huge repository, or a
 * tree that names one subtree many times over). Nothing of it is checked out.
 */
export class SourcesLimitError extends TabrunnerError<{ reason: string }> {
  constructor(data: { reason: string }) {
    super(
      'SourcesLimitError',
      `The checkout is too large for this runner: ${data.reason}. Use GIT_STRATEGY: none for ` +
        'jobs that do not need the sources, or run this project on a runner with a disk.',
      data,
    );
  }
}
