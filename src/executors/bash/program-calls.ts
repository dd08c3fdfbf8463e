/**
 * Calls of programs that run outside the stage shell (WebContainer's `node`, `npm`…), rewritten
 * in the parsed script before it runs. Such a program hands its output to just-bash only when
 * it exits, so:
 *
 * - Live: where its output is the line's own output (no redirection of it other than `2>&1`,
 *   which a pty has done anyway), `npm ci` becomes `LIVE_COMMAND npm ci`, which streams to the
 *   log as the program runs. Anywhere else (a pipe, `$(…)`, `> file`) it keeps its name and its
 *   output goes where bash would send it.
 * - Background: just-bash runs `cmd &` to its end before going on. A program alone in a
 *   statement ending in `&` becomes `BACKGROUND_COMMAND <to> [<file>] -- npm run serve`, which
 *   starts it and returns at once, as bash does; `<to>` says where its output goes: `-` the log,
 *   `>` or `>>` the file that follows (the job's own word, so `$LOG` still expands), `!` nowhere
 *   the stage shell can honour (the command then fails and says how to write it).
 */
import type { SimpleCommandNode, StatementNode } from 'just-bash';

/** The command a live program call is renamed to; its first argument is the program's name. */
export const LIVE_COMMAND = '__tabrunner_live';

/** The command a program started with `&` is renamed to; it returns once the program started. */
export const BACKGROUND_COMMAND = '__tabrunner_background';

/** just-bash exports no name for a redirection node; this is its shape. */
export type RedirectionNode = SimpleCommandNode['redirections'][number];
type WordNode = NonNullable<SimpleCommandNode['name']>;

const literal = (value: string): WordNode => ({
  type: 'Word',
  parts: [{ type: 'Literal', value }],
});

/** `2>&1`: stderr joins stdout. */
function isStderrToStdout(r: RedirectionNode): boolean {
  if (r.fd !== 2 || r.operator !== '>&' || r.target.type !== 'Word') return false;
  const [part, ...rest] = r.target.parts;
  return rest.length === 0 && part?.type === 'Literal' && part.value === '1';
}

function isInput(r: RedirectionNode): boolean {
  return ['<', '<<', '<<-', '<<<'].includes(r.operator);
}

/** The program's name word, when the command calls one of `live` by a plain name. */
function programName(command: SimpleCommandNode, live: ReadonlySet<string>): WordNode | null {
  const [part, ...rest] = command.name?.parts ?? [];
  if (rest.length > 0 || part?.type !== 'Literal' || !live.has(part.value)) return null;
  return { type: 'Word', parts: [{ ...part }] };
}

/** `npm ci` → `LIVE_COMMAND npm ci`, when its output is the line's own. */
export function liveCall(command: SimpleCommandNode, live: ReadonlySet<string>): boolean {
  const name = programName(command, live);
  if (!name || !command.redirections.every((r) => isInput(r) || isStderrToStdout(r))) return false;
  command.args = [name, ...command.args];
  command.name = literal(LIVE_COMMAND);
  return true;
}

/** `npm run serve > log 2>&1 &`, alone in its statement → `BACKGROUND_COMMAND > log -- npm run serve`. */
export function backgroundCall(statement: StatementNode, live: ReadonlySet<string>): boolean {
  const [pipeline, ...others] = statement.pipelines;
  const [command, ...piped] = pipeline?.commands ?? [];
  if (!statement.background || others.length > 0 || piped.length > 0) return false;
  if (command?.type !== 'SimpleCommand') return false;
  const name = programName(command, live);
  if (!name) return false;
  const outputs = command.redirections.filter((r) => !isInput(r) && !isStderrToStdout(r));
  const [output, ...more] = outputs;
  let to: WordNode[];
  if (!output) to = [literal('-')];
  else if (
    more.length === 0 &&
    (output.fd === null || output.fd === 1) &&
    ['>', '>|', '&>', '>>', '&>>'].includes(output.operator) &&
    output.target.type === 'Word'
  )
    to = [literal(output.operator.endsWith('>>') ? '>>' : '>'), output.target];
  else to = [literal('!')];
  command.args = [...to, literal('--'), name, ...command.args];
  command.name = literal(BACKGROUND_COMMAND);
  command.redirections = [];
  statement.background = false;
  return true;
}

/** Where a background program's output goes, read back from `BACKGROUND_COMMAND`'s arguments. */
type BackgroundOutput =
  { kind: 'log' } | { kind: 'file'; path: string; append: boolean } | { kind: 'unsupported' };

export function parseBackgroundCall(
  args: readonly string[],
): { output: BackgroundOutput; name: string; args: string[] } | null {
  const [to, ...rest] = args;
  const withFile = to === '>' || to === '>>';
  const [path = '', dashes, name, ...programArgs] = withFile ? rest : ['', ...rest];
  if (dashes !== '--' || name === undefined) return null;
  const output: BackgroundOutput =
    to === '-'
      ? { kind: 'log' }
      : withFile
        ? { kind: 'file', path, append: to === '>>' }
        : { kind: 'unsupported' };
  return { output, name, args: programArgs };
}
