/**
 * Artifacts in the tab, end to end: a two-stage pipeline where a build job uploads `dist/` and a
 * test job in the next stage receives it through `dependencies`, run by the tab's shell executor
 * through the real relay against the emulator, in Debian's headless Chromium. The Current job
 * panel shows the transfers' progress while they run and lists what the job uploaded.
 */
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
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

/** What the panel's progress line showed, one entry per distinct state. */
interface ShownTransfer {
  direction: string | null;
  phase: string | null;
  valueNow: string | null;
  valueMax: string | null;
  text: string;
}

/**
 * Record every state of the progress line from now on. A MutationObserver in the page sees
 * each rendered state, however briefly it lasted, which polling from the test would miss.
 */
async function recordTransfers(page: Page): Promise<() => Promise<ShownTransfer[]>> {
  await page.evaluate(() => {
    const shown: ShownTransfer[] = [];
    (window as unknown as { shownTransfers: ShownTransfer[] }).shownTransfers = shown;
    let last = '';
    new MutationObserver(() => {
      const line = document.querySelector('[data-testid="job-transfer"]');
      if (!line) return;
      const bar = line.querySelector('[role="progressbar"]');
      const state: ShownTransfer = {
        direction: line.getAttribute('data-direction'),
        phase: line.getAttribute('data-phase'),
        valueNow: bar?.getAttribute('aria-valuenow') ?? null,
        valueMax: bar?.getAttribute('aria-valuemax') ?? null,
        text: line.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      };
      const key = JSON.stringify(state);
      if (key !== last) shown.push(state);
      last = key;
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
  return () =>
    page.evaluate(() => (window as unknown as { shownTransfers: ShownTransfer[] }).shownTransfers);
}

describe('artifacts in the tab', { timeout: 120_000 }, () => {
  it('uploads dist/ from a build job, hands it to the next stage, and shows progress and the uploads in the job panel', async () => {
    const runner = stack.emulator.createRunner({ description: 'e2e artifacts' });
    const { page } = await stack.open();
    await connect(page, stack.emulator.url, runner.token);
    const shownTransfers = await recordTransfers(page);

    // File contents come from shell arithmetic, so they show up in a log only when a job prints
    // the files, never through an echoed command line.
    const [build, check] = await stack.pipeline([
      {
        name: 'build',
        stage: 'build',
        // 4 MiB stored without compression, so the archive moves 4 MiB each way.
        variables: { ARTIFACT_COMPRESSION_LEVEL: 'fastest' },
        script: [
          'mkdir -p dist/sub',
          'echo "app $((6 * 7))" > dist/app.js',
          'echo "lib $((3 + 4))" > dist/sub/lib.js',
          's=0123456789abcdef; for i in $(seq 1 18); do s="$s$s"; done; printf %s "$s" > dist/big.txt',
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
    const { 'dist/big.txt': big, ...small } = zipTexts(archive!.data);
    expect(small).toEqual({ 'dist/app.js': 'app 42\n', 'dist/sub/lib.js': 'lib 7\n' });
    expect(big).toHaveLength(4 * 1024 * 1024);
    expect(archive!.data.length).toBeGreaterThan(4 * 1024 * 1024);

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

    // While they ran, the panel showed each transfer: the sources fetch, the build job's upload
    // as a phase with its size (no percentage: the browser cannot measure a request body), and
    // the test job's download as a progress bar against Content-Length. Then it went away.
    const transfers = await shownTransfers();
    const phases = new Set(transfers.map((t) => `${t.direction}:${t.phase}`));
    for (const phase of [
      'sources:checkout',
      'upload:archiving',
      'upload:uploading',
      'download:downloading',
      'download:extracting',
    ]) {
      expect(phases, phase).toContain(phase);
    }
    const sending = transfers.find((t) => t.phase === 'uploading' && t.text.includes('sending'));
    expect(sending).toMatchObject({ valueNow: null, valueMax: null });
    expect(sending?.text).toContain(
      `Uploading artifacts.zip sending ${formatBytes(archive!.data.length)}`,
    );
    const downloading = transfers.filter((t) => t.phase === 'downloading');
    expect(downloading.every((t) => t.valueMax === String(archive!.data.length))).toBe(true);
    const received = downloading.map((t) => Number(t.valueNow));
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(received[0]).toBe(0);
    expect(received.at(-1)).toBe(archive!.data.length);
    expect(await panel.getByTestId('job-transfer').count()).toBe(0);
  });
});
