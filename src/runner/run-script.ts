/**
 * Runs the commands of one step in a fresh session of the executor, as GitLab's runner does:
 * echo each command, stream its output, stop at the first non-zero exit (§9.5, §10.5).
 */
import type { Workspace } from '../executors/port.ts';
import type { JobTrace } from './job-trace.ts';

export type ScriptResult =
  | { kind: 'success' }
  | { kind: 'failed'; exitCode: number }
  /** The signal stopped a command: cancel, abort or a timeout. The caller knows which. */
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
  const session = await options.workspace.openSession();
  if (options.env) session.setEnv(options.env);
  for (const [index, raw] of options.lines.entries()) {
    const command = raw.trim();
    trace.echo(command, index, options.prefix);
    if (command === '') continue;
    try {
      const { exitCode } = await session.run({ command }, (chunk) => trace.output(chunk), signal);
      if (exitCode !== 0) return { kind: 'failed', exitCode };
    } catch (err) {
      if (signal.aborted) return { kind: 'interrupted' };
      throw err;
    } finally {
      trace.flushOutput();
    }
  }
  return { kind: 'success' };
}
