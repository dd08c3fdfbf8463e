/**
 * A vitest reporter that ends the run with every skipped test and why it was skipped. The
 * default reporter only counts them ("1 skipped"), so a skip that depends on the machine (the
 * real WebContainer contract needs internet) would read as a gap nobody explained. The reason is
 * the test's own: the `(skipped: …)` its suite title carries, or the note of `ctx.skip(note)`.
 */
import type { Reporter, TestModule } from 'vitest/node';

export interface SkippedTest {
  file: string;
  name: string;
  note?: string;
}

/** A run filtered with `-t` skips most tests; their names would bury the rest of the output. */
const MAX_LISTED = 20;

/** The closing lines for `skipped`, or '' when nothing was skipped. Pure. */
export function skippedTestsSummary(skipped: readonly SkippedTest[]): string {
  if (skipped.length === 0) return '';
  const lines = skipped
    .slice(0, MAX_LISTED)
    .map(({ file, name, note }) => `  - ${file} > ${name}${note ? ` (${note})` : ''}`);
  if (skipped.length > MAX_LISTED) lines.push(`  … and ${skipped.length - MAX_LISTED} more`);
  return `\nSkipped tests (${skipped.length}), each with its reason:\n${lines.join('\n')}\n`;
}

export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: SkippedTest[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const result = test.result();
        if (test.options.mode === 'todo') continue;
        const note = result.state === 'skipped' ? result.note : undefined;
        skipped.push({
          file: module.relativeModuleId,
          name: test.fullName,
          ...(note ? { note } : {}),
        });
      }
    }
    process.stdout.write(skippedTestsSummary(skipped));
  }
}
