/**
 * Lets a busy shell loop be cancelled. just-bash checks its AbortSignal at statement
 * boundaries, but its interpreter only awaits already-settled promises, so a loop such as
 * `while true; do :; done` never gives timers or a Cancel click a turn: the signal can never
 * flip. A transform plugin puts `__tabrunner_yield && :` at the top of every loop body; the
 * command hands the event loop a macrotask once per time slice, then the next statement sees the
 * abort. `&& :` keeps `$?` and never trips `set -e`: a non-zero `$?` skips the `:` and a
 * non-final `&&` operand is exempt from errexit.
 *
 * Not covered: loops inside `eval`, `source`, `bash -c` or `sh script.sh` (they are parsed
 * later, without plugins); those are bounded only by the execution limits.
 */
import { defineCommand } from 'just-bash';
import type { Command, StatementNode, TransformPlugin } from 'just-bash';

export const YIELD_COMMAND = '__tabrunner_yield';

/** How long the interpreter may run before it must let the event loop in. */
const SLICE_MS = 20;

const LOOP_TYPES = new Set(['While', 'Until', 'For', 'CStyleFor']);

/** The command the plugin inserts; exits with the `$?` it found so the loop sees no change. */
export function createYieldCommand(now: () => number = Date.now): Command {
  let sliceStart = now();
  return defineCommand(YIELD_COMMAND, async (_args, ctx) => {
    if (now() - sliceStart >= SLICE_MS) {
      await nextTask();
      sliceStart = now();
    }
    return { stdout: '', stderr: '', exitCode: Number(ctx.env.get('?') ?? '0') };
  });
}

/**
 * One turn of the event loop through a message, not `setTimeout(0)`: a hidden tab's timers wake
 * once a second and, after a while, once a minute, which would stretch every slice by as much.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

export function createLoopYieldPlugin(): TransformPlugin {
  const template = yieldStatement();
  return {
    name: 'tabrunner-loop-yield',
    transform({ ast }) {
      insertYields(ast, template);
      return { ast };
    },
  };
}

/**
 * `__tabrunner_yield && :` as just-bash's parser builds it. Written out because just-bash's
 * browser bundle (what Vite resolves for the tab) does not export `parse`.
 */
export function yieldStatement(): StatementNode {
  const command = (name: string) => ({
    type: 'Pipeline' as const,
    commands: [
      {
        type: 'SimpleCommand' as const,
        name: { type: 'Word' as const, parts: [{ type: 'Literal' as const, value: name }] },
        args: [],
        assignments: [],
        redirections: [],
        line: 1,
      },
    ],
    negated: false,
    timed: false,
    timePosix: false,
  });
  return {
    type: 'Statement',
    pipelines: [command(YIELD_COMMAND), command(':')],
    operators: ['&&'],
    background: false,
    sourceText: `${YIELD_COMMAND} && :`,
  } as StatementNode;
}

/** Walks the whole AST: loops hide in functions, pipelines, substitutions and other loops. */
function insertYields(node: unknown, template: StatementNode): void {
  if (Array.isArray(node)) {
    for (const child of node) insertYields(child, template);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const child of Object.values(node)) insertYields(child, template);
  const typed = node as { type?: unknown; body?: unknown };
  if (typeof typed.type === 'string' && LOOP_TYPES.has(typed.type) && Array.isArray(typed.body)) {
    typed.body = [structuredClone(template), ...(typed.body as StatementNode[])];
  }
}
