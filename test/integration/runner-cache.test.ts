/**
 * GitLab's `cache:` end to end (docs/cache.md): the emulator sends `cache[]` as GitLab does
 * (keys suffixed `-protected` / `-non_protected`), the runner restores and saves through the
 * Node store on real files, and later jobs see what earlier ones saved.
 */
import { strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { commitFiles } from '../../emulator/git/index.ts';
import type { Job } from '../../emulator/index.ts';
import { createPipeline, type JobSpecJson } from '../../emulator/pipelines/index.ts';
import { writeZip } from '../../src/artifacts/testing/zip-writer.ts';
import type { CacheAddress } from '../../src/cache/index.ts';
import type { JobTransfer } from '../../src/runner/index.ts';
import { startHarness, text, type Harness } from '../support/runner-harness.ts';

const G = '\x1b[32;1m';
const Y = '\x1b[0;33m';
const R = '\x1b[0;m';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Timestamps off, so trace lines can be matched whole. */
function job(spec: JobSpecJson): JobSpecJson {
  return { ...spec, variables: { FF_TIMESTAMPS: 'false', ...(spec.variables as object) } };
}

/** Run each job of a one-stage-per-job pipeline on `ref` in order; their traces and states. */
async function run(
  specs: JobSpecJson[],
  ref = 'main',
): Promise<(Job & { log: string; transfers: JobTransfer[] })[]> {
  const harness = h!;
  const stages = specs.map((_, i) => `s${i}`);
  const pipeline = await createPipeline(harness.emulator.context, harness.project.id, {
    ref,
    stages,
    jobs: specs.map((spec, i) => job({ ...spec, stage: stages[i] })),
  });
  const { runner, events } = harness.makeRunner();
  const done: (Job & { log: string; transfers: JobTransfer[] })[] = [];
  for (const id of pipeline.jobIds) {
    await runner.run({ once: true });
    const finished = await harness.finished(id);
    const transfers = events.flatMap((e) =>
      e.type === 'job-transfer' && e.jobId === id ? [e.transfer] : [],
    );
    done.push(Object.assign(finished, { log: text(finished.trace), transfers }));
  }
  return done;
}

/** Where the harness's runners keep `key` of the harness's project. */
function addressOf(key: string): CacheAddress {
  return { gitlab: new URL(h!.emulator.url).origin, projectId: h!.project.id, key };
}

/** Bytes as the stream a store saves. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

const checking = (key: string) => `${G}Checking cache for ${key}...${R}\n`;
const extracted = `${G}Successfully extracted cache${R}\n`;
const missing = `${Y}WARNING: Cache file does not exist                ${R} \n${Y}Failed to extract cache${R}\n`;
const created = `${G}Created cache${R}\n`;

describe('cache', () => {
  it('a first job saves the cache and a second job with the same key restores it', async () => {
    h = await startHarness();
    const cache = { key: 'npm', paths: ['.npm/'] };
    const [save, restore] = await run([
      { name: 'save', script: ['mkdir -p .npm/sub', 'echo cached-bytes > .npm/sub/f.txt'], cache },
      { name: 'restore', script: ['cat .npm/sub/f.txt'], cache },
    ]);
    expect(save!.status).toBe('success');
    // The first job misses, then saves under the key GitLab's server suffixed.
    expect(save!.log).toMatch(
      /section_start:\d+:restore_cache\r\x1b\[0K\x1b\[0K\x1b\[36;1mRestoring cache/,
    );
    expect(save!.log).toContain(`${checking('npm-protected')}`);
    expect(save!.log).toContain(missing);
    expect(save!.log).toMatch(
      /section_start:\d+:archive_cache\r\x1b\[0K\x1b\[0K\x1b\[36;1mSaving cache for successful job/,
    );
    expect(save!.log).toContain(`${G}Creating cache npm-protected...${R}\n`);
    expect(save!.log).toContain(created);

    expect(restore!.status).toBe('success');
    expect(restore!.log).toContain(`${checking('npm-protected')}`);
    expect(restore!.log).toContain(extracted);
    expect(restore!.log).toContain('cached-bytes\n');
    // The page's progress line: archiving in the first job, extracting in the second, named by
    // the key, each phase ending done.
    const last = (t: JobTransfer[], phase: string) => t.filter((x) => x.phase === phase).at(-1);
    expect(last(save!.transfers, 'archiving')).toMatchObject({
      direction: 'upload',
      name: 'npm-protected',
      files: { done: 1, total: 1 },
      done: true,
    });
    expect(last(restore!.transfers, 'extracting')).toMatchObject({
      direction: 'download',
      name: 'npm-protected',
      files: { done: 1, total: 1 },
      done: true,
    });
    const entries = await h.cache.list();
    expect(entries.map((e) => e.address)).toEqual([addressOf('npm-protected')]);
  });

  it('keeps the stored archive when the job changed none of the restored files, and saves a changed one', async () => {
    h = await startHarness();
    const cache = { key: 'npm', paths: ['.npm/'] };
    const [, unchanged, changed, after] = await run([
      {
        name: 'save',
        script: ['mkdir -p .npm', 'echo one > .npm/a.txt', 'echo two > .npm/b.txt'],
        cache,
      },
      { name: 'unchanged', script: ['cat .npm/a.txt'], cache },
      { name: 'changed', script: ['echo ONE > .npm/a.txt'], cache },
      { name: 'after', script: ['cat .npm/a.txt .npm/b.txt'], cache },
    ]);
    const upToDate = 'Archive is up to date!';
    const storedLocally = 'Cache will be stored only locally.';
    // GitLab's archiver: nothing newer than the archive, so it is kept and not uploaded.
    expect(unchanged!.log).toContain(extracted);
    expect(unchanged!.log).toContain(upToDate);
    expect(unchanged!.log).not.toContain(storedLocally);
    expect(unchanged!.log).toContain(created);
    // Same size, other bytes: the checksum, not the size, tells it changed.
    expect(changed!.log).not.toContain(upToDate);
    expect(changed!.log).toContain(storedLocally);
    expect(after!.log).toContain('ONE\ntwo\n');
    // The last job changed nothing either: kept again.
    expect(after!.log).toContain(upToDate);
  });

  it('two runners saving one key at once leave one whole archive, of one of the two jobs', async () => {
    h = await startHarness();
    const cache = { key: 'shared', paths: ['.npm/'] };
    // 300 files each, so the two saves overlap; every file names the job that wrote it.
    const fill = (who: string) => [
      'mkdir -p .npm',
      `for i in $(seq 1 300); do echo ${who} > .npm/f$i.txt; done`,
    ];
    const pipeline = await createPipeline(h.emulator.context, h.project.id, {
      ref: 'main',
      stages: ['save', 'check'],
      jobs: [
        job({ name: 'a', stage: 'save', script: fill('from-a'), cache }),
        job({ name: 'b', stage: 'save', script: fill('from-b'), cache }),
        job({
          name: 'check',
          stage: 'check',
          script: ['ls .npm | wc -l', 'cat .npm/*.txt | sort | uniq -c'],
          cache: { ...cache, policy: 'pull' },
        }),
      ],
    });
    const [a, b, check] = pipeline.jobIds;
    const first = h.makeRunner();
    const second = h.makeRunner();
    await Promise.all([first.runner.run({ once: true }), second.runner.run({ once: true })]);
    for (const id of [a!, b!]) {
      const saved = text((await h.finished(id)).trace);
      expect(saved).toContain('Cache will be stored only locally.');
      expect(saved).toContain(created);
    }
    await first.runner.run({ once: true });
    const restored = await h.finished(check!);
    const log = text(restored.trace);
    expect(restored.status).toBe('success');
    expect(log).toContain(extracted);
    expect(log).toMatch(/\n300\n/);
    expect(log).toMatch(/\n\s*300 from-[ab]\n/);
    expect((await h.cache.list()).length).toBe(1);
  });

  it('policy pull never saves and policy push never restores', async () => {
    h = await startHarness();
    const [pull, push, after] = await run([
      {
        name: 'pull',
        script: ['mkdir -p .npm', 'echo from-pull > .npm/f.txt'],
        cache: { key: 'k', paths: ['.npm/'], policy: 'pull' },
      },
      {
        name: 'push',
        script: ['test ! -e .npm/f.txt', 'mkdir -p .npm', 'echo from-push > .npm/f.txt'],
        cache: { key: 'k', paths: ['.npm/'], policy: 'push' },
      },
      {
        name: 'push-again',
        script: ['test ! -e .npm/f.txt'],
        cache: { key: 'k', paths: ['.npm/'], policy: 'push' },
      },
    ]);
    expect(pull!.status).toBe('success');
    expect(pull!.log).toContain(`${G}Not uploading cache k-protected due to policy${R}\n`);
    expect(pull!.log).not.toContain('Creating cache');
    // Nothing to save after a pull-only job: the store is still empty when push runs.
    expect(push!.status).toBe('success');
    expect(push!.log).toContain(`${G}Not downloading cache k-protected due to policy${R}\n`);
    expect(push!.log).toContain(created);
    // The push job saved, but a push-only job never restores it.
    expect(after!.status).toBe('success');
    expect(after!.log).not.toContain('Checking cache');
    expect((await h.cache.list()).map((e) => e.address.key)).toEqual(['k-protected']);
  });

  it('saves a failed job’s cache only for when: on_failure or always, in archive_cache_on_failure', async () => {
    h = await startHarness();
    const [failed, check] = await run([
      {
        name: 'fails',
        script: ['mkdir -p a b', 'echo a > a/f', 'echo b > b/f', 'exit 3'],
        cache: [
          { key: 'on-success', paths: ['a/'] },
          { key: 'on-failure', paths: ['b/'], when: 'on_failure' },
        ],
      },
      {
        name: 'check',
        script: ['test ! -e a/f', 'cat b/f'],
        cache: [
          { key: 'on-success', paths: ['a/'], policy: 'pull' },
          { key: 'on-failure', paths: ['b/'], policy: 'pull' },
        ],
        when: 'always',
      },
    ]);
    expect(failed!.status).toBe('failed');
    expect(failed!.exitCode).toBe(3);
    expect(failed!.log).toMatch(
      /section_start:\d+:archive_cache_on_failure\r\x1b\[0K\x1b\[0K\x1b\[36;1mSaving cache for failed job/,
    );
    expect(failed!.log).toContain(`${G}Creating cache on-failure-protected...${R}\n`);
    expect(failed!.log).not.toContain('Creating cache on-success');
    expect(check!.status).toBe('success');
    expect((await h.cache.list()).map((e) => e.address.key)).toEqual(['on-failure-protected']);
  });

  it('tries fallback keys in order, then CACHE_FALLBACK_KEY, and restores the first it has', async () => {
    h = await startHarness();
    const [, , restore] = await run([
      {
        name: 'seed-global',
        script: ['mkdir -p c', 'echo global > c/f'],
        cache: { key: 'global', paths: ['c/'] },
      },
      {
        name: 'seed-second',
        script: ['mkdir -p c', 'echo second > c/f'],
        cache: { key: 'second', paths: ['c/'] },
      },
      {
        name: 'restore',
        script: ['cat c/f'],
        variables: { CACHE_FALLBACK_KEY: 'global-protected' },
        cache: {
          key: 'absent',
          paths: ['c/'],
          policy: 'pull',
          fallback_keys: ['first', 'second'],
        },
      },
    ]);
    expect(restore!.status).toBe('success');
    // CACHE_FALLBACK_KEY may not name a protected cache, even one this ref could read.
    expect(restore!.log).toContain(
      `${Y}CACHE_FALLBACK_KEY "global-protected" not allowed to end in "-protected"${R}\n`,
    );
    const order = [...restore!.log.matchAll(/Checking cache for (\S+)\.\.\./g)].map((m) => m[1]);
    expect(order).toEqual(['absent-protected', 'first-protected', 'second-protected']);
    expect(restore!.log).toContain(`${checking('second-protected')}No URL provided`);
    expect(restore!.log).toContain(extracted);
    expect(restore!.log).toContain('second\n');
  });

  it('restores from CACHE_FALLBACK_KEY, used as written (no suffix), when the job’s keys miss', async () => {
    h = await startHarness();
    const address = addressOf('shared-fallback');
    const archive = zipSync({ 'c/f': strToU8('from-global\n') });
    await h.cache.save(address, streamOf(archive));
    const [restore] = await run([
      {
        name: 'restore',
        script: ['cat c/f'],
        variables: { CACHE_FALLBACK_KEY: 'shared-fallback' },
        cache: { key: 'absent', paths: ['c/'], policy: 'pull', fallback_keys: ['first'] },
      },
    ]);
    const order = [...restore!.log.matchAll(/Checking cache for (\S+)\.\.\./g)].map((m) => m[1]);
    expect(order).toEqual(['absent-protected', 'first-protected', 'shared-fallback']);
    expect(restore!.log).toContain('from-global\n');
  });

  it('keeps protected and unprotected refs apart by the suffix GitLab’s server adds', async () => {
    h = await startHarness();
    await commitFiles(h.emulator.context, h.project.id, {
      branch: 'topic',
      files: { 'topic.txt': 'topic\n' },
      message: 'topic',
    });
    const cache = { key: 'shared', paths: ['c/'] };
    await run([{ name: 'main-save', script: ['mkdir -p c', 'echo main > c/f'], cache }]);
    const [topic] = await run(
      [{ name: 'topic', script: ['test ! -e c/f', 'mkdir -p c', 'echo topic > c/f'], cache }],
      'topic',
    );
    expect(topic!.status).toBe('success');
    expect(topic!.log).toContain(checking('shared-non_protected'));
    expect(topic!.log).toContain(missing);
    expect((await h.cache.list()).map((e) => e.address.key).sort()).toEqual([
      'shared-non_protected',
      'shared-protected',
    ]);
  });

  it('a corrupt cache archive is a warning and a clean miss: the job runs without it', async () => {
    h = await startHarness();
    const address = addressOf('npm-protected');
    const garbage = new TextEncoder().encode('PK\x03\x04 this is not really a zip archive');
    await h.cache.save(address, streamOf(garbage));
    const [restored] = await run([
      {
        name: 'corrupt',
        script: ['test ! -e .npm', 'mkdir -p .npm', 'echo fresh > .npm/f'],
        cache: { key: 'npm', paths: ['.npm/'] },
      },
    ]);
    expect(restored!.status).toBe('success');
    expect(restored!.log).toMatch(/\x1b\[31;1mFATAL: the cache archive cannot be read: .*\n/);
    expect(restored!.log).toContain(`${Y}Failed to extract cache${R}\n`);
    expect(restored!.log).not.toContain(extracted);
    // The job saved a good archive over the corrupt one.
    expect(restored!.log).toContain(created);
    const [again] = await run([
      { name: 'again', script: ['cat .npm/f'], cache: { key: 'npm', paths: ['.npm/'] } },
    ]);
    expect(again!.log).toContain('fresh\n');
  });

  it('an archive whose last entry is corrupt is a clean miss: none of its files reach the workspace', async () => {
    h = await startHarness();
    const address = addressOf('npm-protected');
    // More entries than the extractor reads in one batch; only the last one's CRC-32 lies.
    const entries = Array.from({ length: 1100 }, (_, i) => ({
      name: `.npm/f${i}`,
      content: new TextEncoder().encode(`stale ${i}\n`),
      ...(i === 1099 ? { crc: 0xbad_c0de } : {}),
    }));
    const archive = writeZip(entries);
    await h.cache.save(address, streamOf(archive));
    const [restored] = await run([
      {
        name: 'corrupt-tail',
        script: ['test ! -e .npm', 'mkdir -p .npm', 'echo fresh > .npm/f0'],
        cache: { key: 'npm', paths: ['.npm/'] },
      },
    ]);
    expect(restored!.status).toBe('success');
    expect(restored!.log).toContain(
      `FATAL: the cache archive cannot be read: entry ".npm/f1099" fails its CRC-32 check${R} \n${Y}Failed to extract cache${R}\n`,
    );
    expect(restored!.log).not.toContain(extracted);
    expect(restored!.log).toContain(created);
  });

  it('an unknown policy fails the job before the script, printing no restore section', async () => {
    h = await startHarness();
    const [bad] = await run([
      {
        name: 'bad',
        script: ['echo never-runs'],
        variables: { POLICY: 'sometimes' },
        cache: { key: 'k', paths: ['c/'], policy: '$POLICY' },
      },
    ]);
    expect(bad!.status).toBe('failed');
    expect(bad!.failureReason).toBe('runner_system_failure');
    expect(bad!.log).not.toContain('restore_cache');
    expect(bad!.log).not.toContain('never-runs\n');
    expect(bad!.log).toContain(
      'ERROR: Job failed (system failure): unknown cache policy sometimes for k-protected',
    );
  });
});
