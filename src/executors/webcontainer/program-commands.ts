/**
 * The programs a job line can start in the WebContainer, as commands of the stage shell. The
 * shell (just-bash) interprets the line; when it reaches `npm ci` it calls this command, which
 * spawns `npm` in the container with the shell's working directory and exported variables and
 * returns its exit status. Where the program's output is the line's own output, the stage
 * shell calls it through `LIVE_COMMAND` and it streams as the program runs; in a pipe, `$(…)` or
 * a redirection it returns the output when the program ends, as bash would hand it on.
 *
 * Only these names are programs: WebContainer's `/bin` (jsh's `ls`, `cat`, …) is weaker than
 * just-bash's own commands, and anything else (a tool in node_modules/.bin) runs through `npx`.
 */
import { defineCommand } from 'just-bash';
import type { Command, CommandContext } from 'just-bash';
import { concat } from '../../bytes/concat-bytes.ts';
import { decodeBytes, encodeString } from '../../platform/byte-encoding.ts';
import { BACKGROUND_COMMAND, LIVE_COMMAND, parseBackgroundCall } from '../bash/program-calls.ts';
import type { StageOutput } from '../bash/stage-shell.ts';
import type { ProgramCall, ProgramResult } from './run-program.ts';
import { workdirRelative } from './workdir-path.ts';

/** What a job can start in the container. */
export const PROGRAMS: ReadonlySet<string> = new Set([
  'node',
  'npm',
  'npx',
  'yarn',
  'pnpm',
  'corepack',
]);

/** The pty size a live program sees: wide, so logs do not wrap. */
const LIVE_TERMINAL = { cols: 200, rows: 50 };

export interface ProgramHost {
  /** The container's workdir: programs run only below it. */
  readonly workdir: string;
  /** Run a program; the host bounds it, and stops it when `call.signal` aborts. */
  run(call: ProgramCall): Promise<ProgramResult>;
  /**
   * Start a program that outlives its line (`cmd &`); the host stops it when the job ends.
   * With `file` (absolute, in the shell's terms) its output goes there instead of `onOutput`.
   */
  startBackground(
    call: Omit<ProgramCall, 'signal'>,
    file: { path: string; append: boolean } | null,
  ): void;
}

export function programCommands(host: ProgramHost, output: StageOutput): Command[] {
  const outside = (name: string, ctx: CommandContext) =>
    failure(
      `tabrunner: ${name} runs in the WebContainer, which cannot see ${ctx.cwd}; ` +
        `cd to a directory below ${host.workdir} (such as $CI_PROJECT_DIR) first.\n`,
      126,
    );
  const start = async (
    name: string,
    args: string[],
    ctx: CommandContext,
    live: boolean,
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> => {
    const cwd = workdirRelative(ctx.cwd, host.workdir);
    if (cwd === null) return outside(name, ctx);
    const captured: Uint8Array[] = [];
    const result = await host.run({
      command: name,
      args,
      cwd,
      env: { ...ctx.exportedEnv },
      stdin: stdinText(ctx),
      ...(live ? { terminal: LIVE_TERMINAL } : {}),
      onOutput: live ? output : (chunk) => captured.push(chunk),
      signal: stageSignal(ctx),
    });
    const stdout = live ? '' : decodeBytes(concat(captured));
    switch (result.kind) {
      case 'exited':
        return { stdout, stderr: '', exitCode: result.exitCode };
      case 'not-started':
        return failure(
          `tabrunner: ${name} could not start in the WebContainer: ${result.message}\n`,
          126,
        );
      case 'lost':
        return failure(`tabrunner: ${name} ended with the WebContainer: ${result.message}\n`, 1);
      case 'cancelled':
        // The stage's signal is aborted: the shell stops at the next statement.
        return { stdout, stderr: '', exitCode: 130 };
    }
  };
  return [
    ...[...PROGRAMS].map((name) =>
      defineCommand(name, (args, ctx) => start(name, args, ctx, false)),
    ),
    defineCommand(LIVE_COMMAND, async ([name = '', ...args], ctx) =>
      PROGRAMS.has(name)
        ? start(name, args, ctx, true)
        : failure(`bash: ${name}: command not found\n`, 127),
    ),
    defineCommand(BACKGROUND_COMMAND, async (args, ctx) => {
      const call = parseBackgroundCall(args);
      if (!call || !PROGRAMS.has(call.name))
        return failure(`bash: ${call?.name ?? ''}: command not found\n`, 127);
      if (call.output.kind === 'unsupported')
        return failure(
          `tabrunner: \`${call.name} … &\` can send its output to the log, to a file ` +
            `(\`> file 2>&1 &\`) or away (\`> /dev/null 2>&1 &\`); its stdout and stderr are one stream.\n`,
          2,
        );
      const cwd = workdirRelative(ctx.cwd, host.workdir);
      if (cwd === null) return outside(call.name, ctx);
      const file =
        call.output.kind === 'file'
          ? { path: ctx.fs.resolvePath(ctx.cwd, call.output.path), append: call.output.append }
          : null;
      const discard = file?.path === '/dev/null';
      host.startBackground(
        {
          command: call.name,
          args: call.args,
          cwd,
          env: { ...ctx.exportedEnv },
          stdin: '',
          terminal: LIVE_TERMINAL,
          onOutput: discard ? () => undefined : output,
        },
        discard ? null : file,
      );
      return { stdout: '', stderr: '', exitCode: 0 };
    }),
  ];
}

function failure(stderr: string, exitCode: number) {
  return { stdout: '', stderr, exitCode };
}

/**
 * The pipe's bytes as the program's stdin (a string, as the API takes it). just-bash's stdin is
 * a latin1 byte string (one char per byte) typed as opaque; its browser bundle exports no
 * converter.
 */
function stdinText(ctx: CommandContext): string {
  return decodeBytes(encodeString(ctx.stdin as unknown as string, 'latin1'));
}

/**
 * just-bash gives a command a signal of its own that aborts with the stage's (and once the
 * command has returned); `StageShell.run` always runs a stage with a signal, so it is there.
 */
function stageSignal(ctx: CommandContext): AbortSignal {
  if (!ctx.signal) throw new Error('a program can only run inside a stage');
  return ctx.signal;
}
