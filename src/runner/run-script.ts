/**
 * Runs one stage of the job script (`step_script`, `after_script`) as GitLab's runner does: the
 * executor runs the entries as one script with bash's errexit semantics (src/executors/port.ts),
 * and the trace shows each entry as `$ cmd` right before its output (docs/architecture.md,
 * "Running a stage").
 */
import { hasErrorCode } from '../errors/index.ts';
import type { Workspace } from '../executors/port.ts';
import type { JobTrace } from './job-trace.ts';

export type ScriptResult =
  | { kind: 'success' }
  | { kind: 'failed'; exitCode: number }
  /** The signal stopped the stage: cancel, abort or a timeout. The caller knows which. */
  | { kind: 'interrupted' };

export async function runScript(options: {
  workspace: Workspace;
  lines: string[];
  trace: JobTrace;
  signal: AbortSignal;
  /** Section id prefix for multi-line commands: `script_step` or `after_script_step`. */
  prefix: string;
  env?: Record<string, string>;
}): Promise<ScriptResult> {
  const { trace, signal } = options;
  if (signal.aborted) return { kind: 'interrupted' };
  const lines = options.lines.map((line) => line.trim());
  try {
    const { exitCode } = await options.workspace.runStage(
      { lines, ...(options.env ? { env: options.env } : {}) },
      {
        onLine: (index) => {
          // What the previous entry wrote ends before the next echo, masked to its end.
          trace.flushOutput();
          trace.echo(lines[index] ?? '', index, options.prefix);
        },
        onOutput: (chunk) => trace.output(chunk),
      },
      signal,
    );
    return exitCode === 0 ? { kind: 'success' } : { kind: 'failed', exitCode };
  } catch (err) {
    if (!signal.aborted) throw err;
    // Stopping cost the sandbox (a program ignored kill): the one thing the donor must learn.
    if (hasErrorCode(err, 'AbortError') && err.data['stage'] === 'stuck')
      trace.warning(err.message);
    return { kind: 'interrupted' };
  } finally {
    trace.flushOutput();
  }
}
