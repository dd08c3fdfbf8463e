/**
 * The errors this adapter raises on purpose, one factory each. Callers compare `code`.
 * Messages say what to do; `data` never holds variable values or tokens.
 */
import { TabrunnerError } from '../../errors/index.ts';

/**
 * The port's cancellation error (`code === 'AbortError'`) when stopping cost the container: a
 * program ignored `kill()`, so the WebContainer was torn down with the job's files. Other
 * cancellations are the stage shell's own `AbortError`. `cause` is the signal's reason (a
 * cancel, or a `TimeoutError`), so the runner can tell them apart.
 */
export function stuckError(reason?: unknown): TabrunnerError<{ stage: 'stuck' }> {
  return new TabrunnerError(
    'AbortError',
    'The stage was cancelled; a program ignored kill(), so the WebContainer was torn down and the job’s files are gone.',
    { stage: 'stuck' },
    { cause: reason },
  );
}

export function unsupportedError(reason: string): TabrunnerError<{ reason: string }> {
  return new TabrunnerError('WebContainerUnsupported', reason, { reason });
}

export function bootTimeoutError(timeoutMs: number): TabrunnerError<{ timeoutMs: number }> {
  return new TabrunnerError(
    'WebContainerBootTimeout',
    `WebContainer did not boot within ${Math.round(timeoutMs / 1000)} s. It loads its runtime from ` +
      'stackblitz.com: check the internet connection, allow third-party cookies and storage for ' +
      'stackblitz.com, webcontainer.io and staticblitz.com, or use the shell executor.',
    { timeoutMs },
  );
}

export function bootFailedError(cause: unknown): TabrunnerError<{ detail: string }> {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TabrunnerError(
    'WebContainerBootFailed',
    `WebContainer failed to boot: ${detail}. Reload the tab, or use the shell executor.`,
    { detail },
    { cause },
  );
}

export function busyError(): TabrunnerError<Record<string, never>> {
  return new TabrunnerError(
    'WebContainerBusy',
    'The WebContainer already runs a job; a tab runs one job at a time. Dispose the workspace first.',
    {},
  );
}

export function notFoundError(path: string): TabrunnerError<{ path: string }> {
  return new TabrunnerError('ENOENT', `No such file: ${path}`, { path });
}

/** A bulk write found a directory where a file goes (the port's `writeFiles`). */
export function directoryInTheWayError(path: string): TabrunnerError<{ path: string }> {
  return new TabrunnerError('EISDIR', `A directory is where a file should be written: ${path}`, {
    path,
  });
}

export function workspaceGoneError(): TabrunnerError<Record<string, never>> {
  return new TabrunnerError(
    'WebContainerWorkspaceGone',
    'The workspace is gone: it was disposed, or the WebContainer was torn down because a program ignored kill().',
    {},
  );
}

/** The container could not be replaced: only a fresh page gets a working one. */
export function needsReloadError(detail: string): TabrunnerError<{ detail: string }> {
  return new TabrunnerError(
    'WebContainerNeedsReload',
    `The WebContainer stopped working (${detail}). Reload the tab to start a fresh one; this tab takes no jobs until then.`,
    { detail },
  );
}

export function outsideWorkdirError(
  path: string,
  workdir: string,
): TabrunnerError<{ path: string }> {
  return new TabrunnerError(
    'WebContainerOutsideWorkdir',
    `${path} is outside the WebContainer's working directory ${workdir}; jobs live below it.`,
    { path },
  );
}

export function outsideBuildsError(
  path: string,
  buildsDir: string,
): TabrunnerError<{ path: string }> {
  return new TabrunnerError(
    'WebContainerOutsideBuildsDir',
    `${path} is outside the WebContainer's builds directory ${buildsDir}; a project is placed below it.`,
    { path },
  );
}

/** A file call of the workspace got no answer; the container was replaced with the job's files. */
export function fileApiTimeoutError(
  timeoutMs: number,
  what: string,
): TabrunnerError<{ timeoutMs: number }> {
  return new TabrunnerError(
    'WebContainerFileTimeout',
    `The WebContainer file API did not answer within ${Math.round(timeoutMs / 1000)} s (${what}), ` +
      'so the WebContainer was replaced and the job’s files are gone. Retry the job; reload the tab if it repeats.',
    { timeoutMs },
  );
}

export function mountTimeoutError(timeoutMs: number): TabrunnerError<{ timeoutMs: number }> {
  return new TabrunnerError(
    'WebContainerMountTimeout',
    `Placing the checkout in the WebContainer did not finish within ${Math.round(timeoutMs / 1000)} s; ` +
      'the container was replaced. If it happens again, reload the tab.',
    { timeoutMs },
  );
}
