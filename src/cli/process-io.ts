/**
 * The CLI's stdout and stderr as a CliIo that survives its readers going away. `tabrunner run
 * | head -1` closes stdout's pipe after one line; Node then reports EPIPE as an 'error' event,
 * which, unhandled, ends the process mid-job and leaves the job running in GitLab. The job's
 * trace already goes to GitLab (the record that counts), so a stream that fails is simply no
 * longer written: stdout's failure gets one note on stderr, stderr's none, and the runner goes
 * on running and reporting jobs (docs/cli.md, "Log formats").
 */
import type { Writable } from 'node:stream';
import type { CliIo } from './main.ts';

export function createProcessIo(stdout: Writable & { isTTY?: boolean }, stderr: Writable): CliIo {
  const err = lineWriter(stderr, () => undefined);
  const out = lineWriter(stdout, (error) => {
    const why =
      error.code === 'EPIPE'
        ? 'stdout was closed'
        : `writing to stdout failed (${error.code ?? error.message})`;
    err(
      `tabrunner: ${why}, so job logs are no longer printed here; the runner carries on ` +
        'and GitLab still gets every job and its whole log.',
    );
  });
  return { out, err, outIsTerminal: stdout.isTTY === true };
}

/** Writes lines to `stream` until it fails; `failed` hears of the first failure only. */
function lineWriter(
  stream: Writable,
  failed: (error: NodeJS.ErrnoException) => void,
): (line: string) => void {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!open) return;
    open = false;
    failed(error);
  });
  return (line) => {
    // A write can fail before its 'error' event arrives; the stream is destroyed by then.
    if (!open || stream.destroyed) return;
    stream.write(line.endsWith('\n') ? line : `${line}\n`);
  };
}
