/**
 * Artifacts in the tab, end to end: a two-stage pipeline where a build job uploads `dist/` and a
 * test job in the next stage receives it through `dependencies`, run by the tab's shell executor
 * through the real relay against the emulator, in Debian's headless Chromium. The Current job
 * panel lists what the job uploaded.
 */
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/ui/format.ts';
import { connect, terminalText, waitForTerminal } from './page-helpers.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 180_000);

afterEach(async () => {
  await stack?.cleanup();
});

afterAll(async () => {
  await stack?.close();
});

/** The files (not directories) of a zip archive, with their text. */
function zipTexts(data: Uint8Array): Record<string, string> {
  const decoder = new TextDecoder();
  return Object.fromEntries(
    Object.entries(unzipSync(data))
      .filter(([name]) => !name.endsWith('/'))
      .map(([name, bytes]) => [name, decoder.decode(bytes)]),
  );
}

describe('artifacts in the tab', { timeout: 120_000 }, () => {
  it('uploads dist/ from a build job, hands it to the next stage, and lists the uploads in the job panel', async () => {
    const runner = stack.emulator.createRunner({ description: 'e2e artifacts' });
    const { page } = await stack.open();
    await connect(page, stack.emulator.url, runner.token);

    // File contents come from shell arithmetic, so they show up in a log only when a job prints
    // the files, never through an echoed command line.
    const [build, check] = await stack.pipeline([
      {
        name: 'build',
        stage: 'build',
        script: [
          'mkdir -p dist/sub',
          'echo "app $((6 * 7))" > dist/app.js',
          'echo "lib $((3 + 4))" > dist/sub/lib.js',
        ],
        artifacts: { paths: ['dist/'] },
      },
      {
        name: 'check',
        stage: 'test',
        dependencies: ['build'],
        script: [
          'cat dist/app.js dist/sub/lib.js',
          'cat dist/app.js dist/sub/lib.js > checked.txt',
          'echo "<testsuites></testsuites>" > report.xml',
        ],
        artifacts: { paths: ['checked.txt'], reports: { junit: 'report.xml' } },
      },
    ]);

    const built = await stack.waitForJob(build!.id, ['success', 'failed', 'canceled']);
    expect(built.status).toBe('success');
    const archive = built.artifactsStored.find((a) => a.artifactType === 'archive');
    expect(archive?.artifactFormat).toBe('zip');
    expect(zipTexts(archive!.data)).toEqual({
      'dist/app.js': 'app 42\n',
      'dist/sub/lib.js': 'lib 7\n',
    });

    const checked = await stack.waitForJob(check!.id, ['success', 'failed', 'canceled']);
    expect(checked.status).toBe('success');
    const checkLog = new TextDecoder().decode(checked.trace);
    expect(checkLog).toMatch(/section_start:\d+:download_artifacts/);
    expect(checkLog).toContain('app 42\n');
    expect(checkLog).toContain('lib 7\n');
    const checkArchive = checked.artifactsStored.find((a) => a.artifactType === 'archive');
    expect(zipTexts(checkArchive!.data)).toEqual({ 'checked.txt': 'app 42\nlib 7\n' });

    // The tab shows the test job: its terminal has the downloaded content, and its panel lists
    // both uploads as GitLab stored them.
    await waitForTerminal(page, 'Job succeeded');
    const shown = await terminalText(page);
    expect(shown).toContain('app 42');
    expect(shown).toContain('lib 7');
    const panel = page.getByTestId('current-job');
    await panel.locator('[data-result="success"]').waitFor();
    const table = panel.getByRole('table', { name: 'Uploaded artifacts' });
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
      );
    expect(rows).toEqual(
      checked.artifactsStored.map((stored) => [
        stored.filename,
        stored.artifactType,
        '1',
        formatBytes(stored.data.length),
      ]),
    );
    expect(rows.map((row) => row[1])).toEqual(['archive', 'junit']);
  });
});
