/** Contract cases: output. */
import { equal, holds, type ContractCase } from '../contract-case.ts';
import { encoder, bigText, expectStage } from './helpers.ts';

export const OUTPUT_CASES: ContractCase[] = [
  {
    group: 'output',
    name: 'each entry is announced before its output, and all output arrives before the stage resolves',
    async run(ctx) {
      const outcome = await ctx.stage(['echo one', '', 'echo two']);
      equal(outcome.text, 'one\ntwo\n', 'output');
      equal(
        outcome.events,
        ['line 0', 'out', 'line 1', 'line 2', 'out', 'resolved'],
        'announcements and output, in order',
      );
    },
  },
  {
    group: 'output',
    name: 'stdout and stderr interleave in the order they were written',
    async run(ctx) {
      await expectStage(
        ctx,
        ['echo a; echo b >&2; echo c; echo d >&2'],
        { exitCode: 0, text: 'a\nb\nc\nd\n' },
        'interleaving',
      );
    },
  },
  {
    group: 'output',
    name: 'UTF-8 stays intact',
    async run(ctx) {
      await expectStage(
        ctx,
        ['echo "grüße 🚀 日本語 — ok"'],
        { exitCode: 0, text: 'grüße 🚀 日本語 — ok\n' },
        'unicode',
      );
    },
  },
  {
    group: 'output',
    name: '3 MB of output arrives complete and in order',
    async run(ctx) {
      const content = bigText();
      await ctx.workspace.writeFile(`${ctx.projectDir}/big.txt`, encoder.encode(content));
      const outcome = await ctx.stage(['cat big.txt']);
      equal(outcome.exitCode, 0, 'exit code');
      equal(outcome.text.length, content.length, 'length');
      holds(outcome.text === content, 'the output is the file, byte for byte');
    },
  },
  {
    group: 'output',
    name: 'a heredoc keeps its body verbatim',
    async run(ctx) {
      await expectStage(
        ctx,
        ['cat <<EOF\n  indented $GREETING\n\tTabbed\nEOF', "cat <<'RAW'\n$NOT_EXPANDED\nRAW"],
        { exitCode: 0, text: '  indented hello world\n\tTabbed\n$NOT_EXPANDED\n' },
        'heredocs',
      );
    },
  },
];
