/**
 * The skipped-tests reporter, run as vitest runs it: a real `vitest run` in a child process on a
 * temporary project holding one skipped suite, one `ctx.skip(note)` and one passing test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skippedTestsSummary } from './skipped-tests-reporter.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

describe('skippedTestsSummary', () => {
  it('is empty without skips, and lists each skip with its note', () => {
    expect(skippedTestsSummary([])).toBe('');
    expect(
      skippedTestsSummary([
        { file: 'a.test.ts', name: 'suite (skipped: needs internet) > case' },
        { file: 'b.test.ts', name: 'other', note: 'no GPU here' },
      ]),
    ).toBe(
      '\nSkipped tests (2), each with its reason:\n' +
        '  - a.test.ts > suite (skipped: needs internet) > case\n' +
        '  - b.test.ts > other (no GPU here)\n',
    );
  });

  it('lists at most 20 and counts the rest', () => {
    const many = Array.from({ length: 23 }, (_, i) => ({ file: 'x.test.ts', name: `t${i}` }));
    const text = skippedTestsSummary(many);
    expect(text).toContain('  - x.test.ts > t19\n');
    expect(text).not.toContain('t20');
    expect(text).toContain('… and 3 more');
  });
});

describe('the reporter in a real vitest run', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tabrunner-skip-reporter-'));
    await writeFile(
      join(dir, 'sample.test.ts'),
      [
        "import { describe, it, expect } from 'vitest';",
        "describe.skip('contract (skipped: needs internet: set X=1)', () => { it('runs', () => {}); });",
        "it('skips at run time', (ctx) => { ctx.skip('the fixture is absent'); });",
        "it('passes', () => { expect(1).toBe(1); });",
      ].join('\n'),
    );
    await writeFile(join(dir, 'vitest.config.mjs'), 'export default {};\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('closes the output with every skipped test and its reason', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--root',
        dir,
        '--config',
        join(dir, 'vitest.config.mjs'),
        '--reporter=default',
        `--reporter=${join(ROOT, 'test/support/skipped-tests-reporter.ts')}`,
      ],
      { cwd: dir, timeout: 60_000, env: { ...process.env, CI: '1', NO_COLOR: '1' } },
    );
    expect(stdout).toContain('Skipped tests (2), each with its reason:');
    expect(stdout).toContain(
      '  - sample.test.ts > contract (skipped: needs internet: set X=1) > runs\n',
    );
    expect(stdout).toContain('  - sample.test.ts > skips at run time (the fixture is absent)\n');
    expect(stdout).not.toContain('> passes');
  }, 90_000);
});
