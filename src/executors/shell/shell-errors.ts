/**
 * The errors the shell executor's workspace raises on purpose, one factory each. Callers compare
 * `code`. Messages say what happened and what to do; `data` never holds variable values.
 */
import { TabrunnerError } from '../../errors/index.ts';

export function notFoundError(path: string): TabrunnerError<{ path: string }> {
  return new TabrunnerError('ENOENT', `No such file in the workspace: ${path}`, { path });
}

export function workspaceGoneError(): TabrunnerError<Record<string, never>> {
  return new TabrunnerError(
    'ShellWorkspaceGone',
    'The shell workspace was disposed; prepare a new one for the next job.',
    {},
  );
}

/** A bulk write found a directory where a file goes (the port's `writeFiles`). */
export function directoryInTheWayError(path: string): TabrunnerError<{ path: string }> {
  return new TabrunnerError('EISDIR', `A directory is where a file should be written: ${path}`, {
    path,
  });
}
