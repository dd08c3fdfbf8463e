/**
 * The errors the shell executor raises on purpose, one factory each. Callers compare `code`.
 * Messages say what happened and what to do; `data` never holds variable values.
 */
import { TabrunnerError } from '../../errors/index.ts';

/** `before-start`: the signal was already aborted; `interrupted`: the line was stopped. */
export type ShellAbortStage = 'before-start' | 'interrupted';

/** The port's cancellation error; `cause` is the signal's reason (e.g. a `TimeoutError`). */
export function abortError(
  stage: ShellAbortStage,
  reason: unknown,
): TabrunnerError<{ stage: ShellAbortStage }> {
  const message =
    stage === 'before-start'
      ? 'The line was cancelled before it started.'
      : 'The line was cancelled while it ran.';
  return new TabrunnerError('AbortError', message, { stage }, { cause: reason });
}

export function notFoundError(path: string): TabrunnerError<{ path: string }> {
  return new TabrunnerError('ENOENT', `No such file in the workspace: ${path}`, { path });
}

export function busyError(): TabrunnerError<Record<string, never>> {
  return new TabrunnerError(
    'ShellBusy',
    'A line is already running in this workspace; await it before running the next one.',
    {},
  );
}

export function workspaceGoneError(): TabrunnerError<Record<string, never>> {
  return new TabrunnerError(
    'ShellWorkspaceGone',
    'The shell workspace was disposed; prepare a new one for the next job.',
    {},
  );
}
