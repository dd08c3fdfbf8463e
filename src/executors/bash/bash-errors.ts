/**
 * The errors a stage shell raises on purpose, one factory each. Callers compare `code`.
 * Messages say what happened and what to do; `data` never holds variable values.
 */
import { TabrunnerError } from '../../errors/index.ts';

/** `before-start`: the signal was already aborted; `interrupted`: the stage was stopped. */
type ShellAbortStage = 'before-start' | 'interrupted';

/** The port's cancellation error; `cause` is the signal's reason (e.g. a `TimeoutError`). */
export function abortError(
  stage: ShellAbortStage,
  reason: unknown,
): TabrunnerError<{ stage: ShellAbortStage }> {
  const message =
    stage === 'before-start'
      ? 'The stage was cancelled before it started.'
      : 'The stage was cancelled while it ran.';
  return new TabrunnerError('AbortError', message, { stage }, { cause: reason });
}

export function busyError(): TabrunnerError<Record<string, never>> {
  return new TabrunnerError(
    'ShellBusy',
    'A stage is already running in this workspace; await it before running the next one.',
    {},
  );
}
