/**
 * A failure after get_sources (here download_artifacts) skips the user steps and after_script,
 * but the job's on-failure uploads and cleanup still run in the workspace get_sources prepared
 * (docs/runner-protocol.md §10.5, item 1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createShellExecutor } from '../../src/executors/index.ts';
import type { Executor } from '../../src/executors/port.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The shell executor, counting the workspaces it prepared and the ones disposed. */
function countingExecutor(): {
  executor: Executor;
  prepared: () => number;
  disposed: () => number;
} {
  const shell = createShellExecutor();
  let prepared = 0;
  let disposed = 0;
  const executor: Executor = {
    name: shell.name,
    describe: () => shell.describe(),
    dispose: () => shell.dispose(),
    async prepare(tree, options) {
      const workspace = await shell.prepare(tree, options);
      prepared += 1;
      return {
        get lost() {
          return workspace.lost;
        },
        runStage: (stage, hooks, signal) => workspace.runStage(stage, hooks, signal),
        writeFile: (path, data) => workspace.writeFile(path, data),
        writeFiles: (dir, files) => workspace.writeFiles(dir, files),
        readFile: (path) => workspace.readFile(path),
        listFiles: (dir) => workspace.listFiles(dir),
        dispose: async () => {
          disposed += 1;
          await workspace.dispose();
        },
      };
    },
  };
  return { executor, prepared: () => prepared, disposed: () => disposed };
}

describe('a stage failing after get_sources', () => {
  it('still uploads the on_failure artifacts and disposes the workspace when download_artifacts fails', async () => {
    h = await startHarness();
    const [build, use] = await h.pipeline([
      {
        name: 'build',
        stage: 'build',
        script: ['mkdir -p dist', 'echo x > dist/x'],
        artifacts: { paths: ['dist/'], expire_in: '1 day' },
      },
      {
        name: 'use',
        stage: 'test',
        script: ['echo never runs'],
        artifacts: { paths: ['debug.log'], when: 'on_failure' },
      },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    expect((await h.finished(build!.id)).status).toBe('success');

    // The dependency's artifact expires right before download_artifacts asks for it.
    const harness = h;
    const counting = countingExecutor();
    const expiring = harness.makeRunner({
      executor: counting.executor,
      sources: async () => {
        for (const artifact of harness.emulator.state.jobs.get(build!.id)!.artifactsStored)
          artifact.expiresAt = Date.now() - 1000;
        return {
          tree: { files: [{ path: 'debug.log', data: new TextEncoder().encode('log\n') }] },
        };
      },
    });
    await expiring.runner.run({ once: true });
    const stored = await h.finished(use!.id);
    const trace = text(stored.trace);
    expect(stored.failureReason).toBe('missing_dependency_failure');
    expect(trace).not.toContain('never runs');
    expect(trace).toMatch(/section_start:\d+:upload_artifacts_on_failure/);
    expect(stored.artifactsStored.map((a) => a.filename)).toEqual(['artifacts.zip']);
    expect(counting.prepared()).toBe(1);
    expect(counting.disposed()).toBe(1);
  });
});
