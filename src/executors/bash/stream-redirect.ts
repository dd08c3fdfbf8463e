/**
 * Streams a line's output command by command without breaking `$(…)`. just-bash returns output
 * only when `exec()` ends; writes to a file, though, happen as each command runs, and the output
 * tap turns writes to its two paths into chunks. `exec >>tap` would divert fd 1 for the whole
 * line, but in just-bash that also swallows what a command substitution should capture. So this
 * transform plugin gives each command that writes to the line's own stdout/stderr a redirection
 * to the tap instead, placed FIRST so the job's own redirections (`> file`, `2>&1`) still win,
 * as bash applies redirections left to right.
 *
 * What it touches: the script's statements and, recursively, the bodies of compound commands
 * (if, loops, case, groups, subshells) whose output is the line's output. Not: command and
 * process substitutions (captured), function bodies (a function may be called inside `$(…)`; its
 * call site is redirected instead), and commands feeding a pipe (only their stderr is tapped).
 *
 * Live commands: a program that runs elsewhere (WebContainer's `npm`) returns its output to
 * just-bash only when it exits, so a redirection would show `npm ci` all at once at the end.
 * Where such a command writes straight to the line's output (no redirection of its stdout or
 * stderr other than `2>&1`), it is renamed to `LIVE_COMMAND <name> …`, which streams to the tap
 * itself as the program runs; anywhere else (pipes, `$(…)`, `> file`) it keeps its name and its
 * output goes where bash would send it. just-bash runs `cmd &` to its end before going on; a
 * live program started that way (`npm run serve &`) is renamed to `BACKGROUND_COMMAND <name> …`
 * instead, which starts it and returns at once, as bash does.
 */
import type { CommandNode, SimpleCommandNode, StatementNode, TransformPlugin } from 'just-bash';
import { STDERR_TAP, STDOUT_TAP } from './output-tap.ts';

/** The command a live program call is renamed to; its first argument is the program's name. */
export const LIVE_COMMAND = '__tabrunner_live';

/** The command a live program started with `&` is renamed to; it returns once it started. */
export const BACKGROUND_COMMAND = '__tabrunner_background';

/** just-bash exports no name for a redirection node; this is its shape. */
type RedirectionNode = SimpleCommandNode['redirections'][number];

function redirection(fd: 1 | 2, path: string): RedirectionNode {
  return {
    type: 'Redirection',
    fd: fd === 1 ? null : 2,
    operator: '>>',
    target: { type: 'Word', parts: [{ type: 'Literal', value: path }] },
  } as RedirectionNode;
}

/** Compound commands whose statements we may descend into, and where those statements are. */
function bodiesOf(command: CommandNode): StatementNode[][] {
  switch (command.type) {
    case 'If':
      return [...command.clauses.flatMap((c) => [c.condition, c.body]), command.elseBody ?? []];
    case 'For':
    case 'CStyleFor':
    case 'Group':
    case 'Subshell':
      return [command.body];
    case 'While':
    case 'Until':
      return [command.condition, command.body];
    case 'Case':
      return command.items.map((item) => item.body);
    default:
      return [];
  }
}

/** `2>&1`: stderr joins stdout, which a pty-backed program has already done. */
function isStderrToStdout(r: RedirectionNode): boolean {
  if (r.fd !== 2 || r.operator !== '>&' || r.target.type !== 'Word') return false;
  const [part, ...rest] = r.target.parts;
  return rest.length === 0 && part?.type === 'Literal' && part.value === '1';
}

/** Input redirections leave the output where it was. */
function keepsOutput(r: RedirectionNode): boolean {
  return ['<', '<<', '<<-', '<<<'].includes(r.operator) || isStderrToStdout(r);
}

/** `npm ci` → `<as> npm ci`, when `npm` is live and its output is the line's. */
function goLive(
  command: SimpleCommandNode,
  live: ReadonlySet<string>,
  as: typeof LIVE_COMMAND | typeof BACKGROUND_COMMAND = LIVE_COMMAND,
): boolean {
  const [part, ...rest] = command.name?.parts ?? [];
  if (rest.length > 0 || part?.type !== 'Literal' || !live.has(part.value)) return false;
  if (!command.redirections.every(keepsOutput)) return false;
  command.args = [{ type: 'Word', parts: [{ ...part }] }, ...command.args];
  command.name = { type: 'Word', parts: [{ type: 'Literal', value: as }] };
  return true;
}

/** `npm run serve &` alone in its statement: start it and go on. */
function goBackground(statement: StatementNode, live: ReadonlySet<string>): boolean {
  const [pipeline, ...others] = statement.pipelines;
  const [command, ...piped] = pipeline?.commands ?? [];
  if (!statement.background || others.length > 0 || piped.length > 0) return false;
  if (command?.type !== 'SimpleCommand' || !goLive(command, live, BACKGROUND_COMMAND)) return false;
  statement.background = false;
  return true;
}

function tapStatements(statements: StatementNode[], live: ReadonlySet<string>): void {
  for (const statement of statements) {
    if (goBackground(statement, live)) continue;
    for (const pipeline of statement.pipelines) {
      pipeline.commands.forEach((command, index) => {
        if (command.type === 'FunctionDef') return;
        const feedsPipe = index < pipeline.commands.length - 1;
        if (!feedsPipe && command.type === 'SimpleCommand' && goLive(command, live)) return;
        const bodies = bodiesOf(command);
        if (!feedsPipe && bodies.length > 0 && command.redirections.length === 0) {
          // Descend, so a loop's output streams per command instead of when the loop ends.
          for (const body of bodies) tapStatements(body, live);
          return;
        }
        const own = feedsPipe
          ? [redirection(2, STDERR_TAP)]
          : [redirection(1, STDOUT_TAP), redirection(2, STDERR_TAP)];
        command.redirections = [...own, ...command.redirections];
      });
    }
  }
}

/** `live`: names of commands that stream themselves (see "Live commands" above). */
export function createStreamRedirectPlugin(live: ReadonlySet<string> = new Set()): TransformPlugin {
  return {
    name: 'tabrunner-stream-redirect',
    transform({ ast }) {
      tapStatements(ast.statements, live);
      return { ast };
    },
  };
}
