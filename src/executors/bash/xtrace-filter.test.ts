import { describe, expect, it } from 'vitest';
import { createShellExecutor } from '../shell/index.ts';
import { XtraceFilter } from './xtrace-filter.ts';

describe('XtraceFilter', () => {
  it('drops the entry markers and loop yields, and shows program calls as written', () => {
    const filter = new XtraceFilter();
    const traced = [
      '+ __tabrunner_line 0123abcd 1\n',
      '+ echo 1\n',
      '+ __tabrunner_yield\n',
      '+ :\n',
      '++ __tabrunner_live node -p 1\n',
      '+ __tabrunner_background > log -- npm run serve\n',
      '+ :\n',
    ];
    expect(traced.map((line) => filter.filter(line)).join('')).toBe(
      '+ echo 1\n++ node -p 1\n+ npm run serve &\n+ :\n',
    );
  });

  it('leaves `set -x` output of a stage free of the runner’s own commands', async () => {
    const executor = createShellExecutor();
    const workspace = await executor.prepare({ files: [] }, { projectDir: '/builds/p', env: {} });
    let text = '';
    await workspace.runStage(
      { lines: ['set -x', 'for i in 1; do echo "n$i"; done'] },
      { onLine: () => undefined, onOutput: (c) => (text += new TextDecoder().decode(c)) },
      new AbortController().signal,
    );
    await executor.dispose();
    expect(text).toContain('n1\n');
    expect(text).not.toMatch(/__tabrunner|^\+ :$/m);
  });
});
