/**
 * The errors this adapter raises on purpose, one factory each. Callers compare `code`.
 * Messages say what to do; `data` never holds variable values or tokens.
 */
import { TabrunnerError } from '../../errors/index.ts';

/** How far cancelling got: nothing had started, the stage was stopped, or a program ignored kill. */
export type AbortStage = 'before-start' | 'interrupted' | 'stuck';

/** The port's cancellation error: `code === 'AbortError'`. */
/** `cause` is the signal's reason (a cancel, or a `TimeoutError`), so the runner can tell them apart. */
export function abortError(
  stage: AbortStage,
  reason?: unknown,
): TabrunnerError<{ stage: AbortStage }> {
  const what: Record<AbortStage, string> = {
    'before-start': 'The stage was cancelled before it started.',
    interrupted: 'The stage was cancelled.',
    stuck:
      'The stage was cancelled; a program ignored kill(), so the WebContainer was torn down and the job’s files are gone.',
  };
  return new TabrunnerError('AbortError', what[stage], { stage }, { cause: reason });
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
