/**
 * Artifacts end to end: what a build job makes goes back to GitLab (archive and reports, with
 * `exclude`, `untracked` and `when`), and a later job gets it through `dependencies`.
 */
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function archiveEntries(data: Uint8Array): string[] {
  return Object.keys(unzipSync(data))
    .filter((name) => !name.endsWith('/'))
    .sort();
}

describe('artifacts', () => {
  it('uploads dist/ (with exclude and untracked) and a JUnit report, and the next stage receives dist/', async () => {
    h = await startHarness();
    const [build, check] = await h.pipeline([
      {
        name: 'build',
        stage: 'build',
        script: [
          'mkdir -p dist/sub',
          'echo "app" > dist/app.js',
          'echo "map" > dist/app.js.map',
          'echo "nested" > dist/sub/lib.js',
          'echo "untracked" > notes.txt',
          'echo "<testsuites></testsuites>" > report.xml',
        ],
        artifacts: {
          paths: ['dist/'],
          exclude: ['dist/**/*.map'],
          untracked: true,
          reports: { junit: 'report.xml' },
          expire_in: '1 day',
        },
      },
      {
        name: 'check',
        stage: 'test',
        script: ['cat dist/app.js', 'cat dist/sub/lib.js', 'test ! -e dist/app.js.map'],
      },
    ]);
    const { runner, events } = h.makeRunner();
    await runner.run({ once: true });
    const built = await h.finished(build!.id);
    expect(built.status).toBe('success');
    const archive = built.artifactsStored.find((a) => a.artifactType === 'archive');
    const junit = built.artifactsStored.find((a) => a.artifactType === 'junit');
    expect(archive?.artifactFormat).toBe('zip');
    // untracked: everything git does not track (the fixture's files are tracked).
    expect(archiveEntries(archive!.data)).toEqual([
      'dist/app.js',
      'dist/sub/lib.js',
      'notes.txt',
      'report.xml',
    ]);
    expect(junit).toMatchObject({ artifactFormat: 'gzip', filename: 'junit.xml.gz' });
    expect(archive!.expiresAt).not.toBeNull();
    const buildLog = text(built.trace);
    expect(buildLog).toMatch(/section_start:\d+:upload_artifacts_on_success/);
    expect(buildLog).toMatch(/dist: found \d+ matching artifact files and directories/);
    expect(buildLog).not.toContain(build!.token);

    await runner.run({ once: true });
    const checked = await h.finished(check!.id);
    expect(checked.status).toBe('success');
    const checkLog = text(checked.trace);
    expect(checkLog).toMatch(/section_start:\d+:download_artifacts/);
    expect(checkLog).toContain('app\n');
    expect(checkLog).toContain('nested\n');

    // The page's progress line: each job's transfers, phase by phase, each phase ending done
    // with its total, inside the stage that does the work. No token in any of it.
    const transfers = (jobId: number) =>
      events.flatMap((e) => (e.type === 'job-transfer' && e.jobId === jobId ? [e.transfer] : []));
    const phases = (jobId: number) =>
      transfers(jobId)
        .map((t) => `${t.direction}:${t.name}:${t.phase}`)
        .filter((p, i, all) => p !== all[i - 1]);
    const sources = phases(build!.id).filter((p) => p.startsWith('sources:'));
    expect(sources[0]).toBe('sources:it/tiny:connecting');
    expect(sources.at(-1)).toBe('sources:it/tiny:checkout');
    expect(phases(build!.id).filter((p) => !p.startsWith('sources:'))).toEqual([
      'upload:artifacts.zip:collecting',
      'upload:artifacts.zip:archiving',
      'upload:artifacts.zip:uploading',
      'upload:junit.xml.gz:collecting',
      'upload:junit.xml.gz:archiving',
      'upload:junit.xml.gz:uploading',
    ]);
    expect(phases(check!.id)).toContain('download:build:downloading');
    expect(phases(check!.id).slice(-2)).toEqual([
      'download:build:downloading',
      'download:build:extracting',
    ]);
    const uploaded = transfers(build!.id).filter((t) => t.phase === 'uploading' && t.done);
    expect(uploaded.map((t) => [t.name, t.total])).toEqual(
      built.artifactsStored.map((a) => [a.filename, a.data.length]),
    );
    const downloaded = transfers(check!.id).find((t) => t.phase === 'downloading' && t.done);
    expect(downloaded?.total).toBe(archive!.data.length);
    expect(transfers(build!.id).find((t) => t.phase === 'checkout' && t.done)?.loaded).toBe(
      transfers(check!.id).find((t) => t.phase === 'checkout' && t.done)?.loaded,
    );
    // Every transfer event falls inside the stage that does the work.
    const stagesOf = new Map<string, Set<string>>();
    let stage = '';
    for (const e of events) {
      if (e.type === 'job-stage') stage = e.stage;
      if (e.type !== 'job-transfer') continue;
      const seen = stagesOf.get(e.transfer.direction) ?? new Set<string>();
      stagesOf.set(e.transfer.direction, seen.add(stage));
    }
    expect(Object.fromEntries([...stagesOf].map(([d, s]) => [d, [...s]]))).toEqual({
      sources: ['get_sources'],
      upload: ['upload_artifacts_on_success'],
      download: ['download_artifacts'],
    });
    const shown = JSON.stringify(events.filter((e) => e.type === 'job-transfer'));
    for (const token of [build!.token, check!.token, h.runnerToken]) {
      expect(shown).not.toContain(token);
    }
  });

  it('uploads on_failure and always entries after a failure, not on_success ones', async () => {
    h = await startHarness();
    const [job] = await h.pipeline([
      {
        name: 'fails',
        script: ['echo "log" > debug.log', 'echo "out" > out.txt', 'exit 1'],
        artifacts: { paths: ['debug.log'], when: 'on_failure' },
      },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    const stored = await h.finished(job!.id);
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('script_failure');
    expect(stored.artifactsStored.map((a) => archiveEntries(a.data))).toEqual([['debug.log']]);
    expect(text(stored.trace)).toMatch(/section_start:\d+:upload_artifacts_on_failure/);
  });

  it('reports a too large archive in GitLab words and fails the job, as GitLab runner does', async () => {
    h = await startHarness({ artifactSizeLimit: 200 });
    const [job] = await h.pipeline([
      {
        name: 'big',
        script: [
          'mkdir -p out',
          'for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i of a file too large for the limit" >> out/big.txt; done',
          'seq 1 200 > out/numbers.txt',
        ],
        artifacts: { paths: ['out/'] },
      },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    const stored = await h.finished(job!.id);
    expect(stored.status).toBe('failed');
    expect(stored.artifactsStored).toEqual([]);
    expect(text(stored.trace)).toContain('too large archive');
  });

  it('fails with missing_dependency_failure when a dependency artifact expired before download', async () => {
    h = await startHarness();
    const [build, use] = await h.pipeline([
      {
        name: 'build',
        stage: 'build',
        script: ['mkdir -p dist', 'echo x > dist/x'],
        artifacts: { paths: ['dist/'], expire_in: '1 day' },
      },
      { name: 'use', stage: 'test', script: ['cat dist/x'] },
    ]);
    const { runner } = h.makeRunner();
    await runner.run({ once: true });
    expect((await h.finished(build!.id)).status).toBe('success');

    // Expire the artifact after GitLab built the payload for `use`, just before the download:
    // the sources step is the last thing before download_artifacts.
    const harness = h;
    const expiring = harness.makeRunner({
      sources: async () => {
        for (const artifact of harness.emulator.state.jobs.get(build!.id)!.artifactsStored)
          artifact.expiresAt = Date.now() - 1000;
        return { tree: { files: [] } };
      },
    });
    await expiring.runner.run({ once: true });
    const stored = await h.finished(use!.id);
    expect(stored.status).toBe('failed');
    expect(stored.failureReason).toBe('missing_dependency_failure');
    expect(text(stored.trace)).toMatch(/section_start:\d+:download_artifacts/);
  });
});
