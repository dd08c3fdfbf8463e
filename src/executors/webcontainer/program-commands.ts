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
import type { ByteString, Command, CommandContext } from 'just-bash';
import { concat } from '../../job/concat-bytes.ts';
import { BACKGROUND_COMMAND, LIVE_COMMAND, parseBackgroundCall } from '../bash/program-calls.ts';
import type { StageOutput } from '../bash/stage-shell.ts';
import type { ProgramCall, ProgramResult } from './run-program.ts';

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
export const LIVE_TERMINAL = { cols: 200, rows: 50 };

export interface ProgramHost {
  /** The container's workdir: programs run only below it. */
  readonly workdir: string;
  /** Run a program; the host bounds it and stops it with the stage's signal. */
  run(call: Omit<ProgramCall, 'signal'>): Promise<ProgramResult>;
  /**
   * Start a program that outlives its line (`cmd &`); the host stops it when the job ends.
   * With `file` (absolute, in the shell's terms) its output goes there instead of `onOutput`.
   */
  startBackground(
    call: Omit<ProgramCall, 'signal'>,
    file: { path: string; append: boolean } | null,
  ): void;
}

const decoder = new TextDecoder();

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
    const cwd = containerCwd(host.workdir, ctx.cwd);
    if (cwd === null) return outside(name, ctx);
    const captured: Uint8Array[] = [];
    const result = await host.run({
      command: name,
      args,
      cwd,
      env: { ...ctx.exportedEnv },
      stdin: decoder.decode(stdinBytes(ctx.stdin)),
      ...(live ? { terminal: LIVE_TERMINAL } : {}),
      onOutput: live ? output : (chunk) => captured.push(chunk),
    });
    const stdout = live ? '' : decoder.decode(concat(captured));
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
      const cwd = containerCwd(host.workdir, ctx.cwd);
      if (cwd === null) return outside(call.name, ctx);
      host.startBackground(
        {
          command: call.name,
          args: call.args,
          cwd,
          env: { ...ctx.exportedEnv },
          stdin: '',
          terminal: LIVE_TERMINAL,
          onOutput: output,
        },
        call.output.kind === 'file'
          ? { path: ctx.fs.resolvePath(ctx.cwd, call.output.path), append: call.output.append }
          : null,
      );
      return { stdout: '', stderr: '', exitCode: 0 };
    }),
  ];
}

/** The shell's directory as a spawn `cwd` (relative to the workdir), or null outside it. */
export function containerCwd(workdir: string, cwd: string): string | null {
  if (cwd === workdir) return '';
  return cwd.startsWith(`${workdir}/`) ? cwd.slice(workdir.length + 1) : null;
}

function failure(stderr: string, exitCode: number) {
  return { stdout: '', stderr, exitCode };
}

/**
 * just-bash's stdin is a latin1 byte string (one char per byte) typed as opaque; its browser
 * bundle exports no converter, so the bytes are read here.
 */
function stdinBytes(stdin: ByteString): Uint8Array {
  const text = stdin as unknown as string;
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
