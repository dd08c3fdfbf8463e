/**
 * Streams a stage's output command by command without breaking `$(…)`. just-bash returns output
 * only when `exec()` ends; writes to a file, though, happen as each command runs, and the output
 * tap turns writes to its two paths into chunks. `exec >>tap` would divert fd 1 for the whole
 * script, but in just-bash that also swallows what a command substitution should capture. So
 * this transform plugin gives each command that writes to the stage's stdout/stderr a redirection
 * to the tap instead, placed FIRST so the job's own redirections (`> file`, `2>&1`) still win,
 * as bash applies redirections left to right. (A job's own `exec > file` therefore does not
 * divert the commands after it; bash's would.)
 *
 * What it touches: the script's statements and, recursively, the bodies of compound commands
 * (if, loops, case, groups, subshells) whose output is the stage's output. Not: command and
 * process substitutions (captured), function bodies (a function may be called inside `$(…)`; its
 * call site is redirected instead), and commands feeding a pipe (only their stderr is tapped).
 *
 * Programs that run elsewhere (WebContainer's `npm`) are renamed before the tap is placed, so
 * they can stream themselves or start in the background (program-calls.ts); the tap leaves them
 * alone.
 */
import type { CommandNode, StatementNode, TransformPlugin } from 'just-bash';
import { STDERR_TAP, STDOUT_TAP } from './output-tap.ts';
import { backgroundCall, liveCall, type RedirectionNode } from './program-calls.ts';

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

/**
 * A command with only assignments (`V=$(cmd)`) writes nothing but its substitutions' stderr,
 * and just-bash loses the substitution's status when such a command has a redirection.
 */
function assignsOnly(command: CommandNode): boolean {
  return command.type === 'SimpleCommand' && command.name === null;
}

function tapStatements(statements: StatementNode[], live: ReadonlySet<string>): void {
  for (const statement of statements) {
    if (backgroundCall(statement, live)) continue;
    for (const pipeline of statement.pipelines) {
      pipeline.commands.forEach((command, index) => {
        if (command.type === 'FunctionDef' || assignsOnly(command)) return;
        const feedsPipe = index < pipeline.commands.length - 1;
        if (!feedsPipe && command.type === 'SimpleCommand' && liveCall(command, live)) return;
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

/** `live`: names of programs that run elsewhere (program-calls.ts). */
export function createStreamRedirectPlugin(live: ReadonlySet<string> = new Set()): TransformPlugin {
  return {
    name: 'tabrunner-stream-redirect',
    transform({ ast }) {
      tapStatements(ast.statements, live);
      return { ast };
    },
  };
}
