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
 */
import type { CommandNode, SimpleCommandNode, StatementNode, TransformPlugin } from 'just-bash';
import { STDERR_TAP, STDOUT_TAP } from './output-tap.ts';

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

function tapStatements(statements: StatementNode[]): void {
  for (const statement of statements) {
    for (const pipeline of statement.pipelines) {
      pipeline.commands.forEach((command, index) => {
        if (command.type === 'FunctionDef') return;
        const feedsPipe = index < pipeline.commands.length - 1;
        const bodies = bodiesOf(command);
        if (!feedsPipe && bodies.length > 0 && command.redirections.length === 0) {
          // Descend, so a loop's output streams per command instead of when the loop ends.
          for (const body of bodies) tapStatements(body);
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

export function createStreamRedirectPlugin(): TransformPlugin {
  return {
    name: 'tabrunner-stream-redirect',
    transform({ ast }) {
      tapStatements(ast.statements);
      return { ast };
    },
  };
}
