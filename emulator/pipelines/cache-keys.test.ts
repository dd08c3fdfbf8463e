/**
 * The `cache` entries the emulator sends, as GitLab's server builds them: `key: files:` hashed
 * from the files' blob ids at the pipeline's commit, the prefix, and the protected suffix.
 * Expected hashes are computed here from the files' bytes, not with git.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFiles, createProject } from '../git/index.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Job, Pipeline, Project } from '../model.ts';
import { buildJobPayload } from '../payload/index.ts';
import { pipelineJobs, testRunner } from '../test-support/index.ts';
import { createPipeline } from './index.ts';

const SAMPLE = fileURLToPath(new URL('../sample', import.meta.url));

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');
/** A git blob id: SHA-1 of `blob <size>\0` and the bytes. */
const blobId = (bytes: Buffer) =>
  sha1(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]));
const sampleBlob = async (path: string) => blobId(await readFile(`${SAMPLE}/${path}`));
/** GitLab's digest: the blob ids sorted, joined with `-`, SHA-1. */
const digest = (ids: string[]) => sha1([...ids].sort().join('-'));

const runner = testRunner();

describe('cache entries in the job payload', () => {
  let t: TestContext;
  let project: Project;

  beforeEach(async () => {
    t = await createTestContext();
    await t.listen();
    project = await createProject(t.ctx, { path: 'sample', namespace: 'demo', sourceDir: SAMPLE });
  });
  afterEach(() => t.dispose());

  const job = (pipeline: Pipeline, name: string): Job =>
    pipelineJobs(t.ctx.state, pipeline).find((j) => j.name === name)!;
  const cacheOf = (pipeline: Pipeline, name: string) =>
    buildJobPayload(t.ctx, job(pipeline, name), runner).cache as {
      key: string;
      fallback_keys: string[];
    }[];

  it("keys the sample's shell-test cache by package.json, apart on protected and other refs", async () => {
    const hash = digest([await sampleBlob('package.json')]);
    const main = await createPipeline(t.ctx, project.id, { ref: 'main' });
    expect(cacheOf(main, 'shell-test')).toEqual([
      {
        key: `shell-${hash}-protected`,
        untracked: false,
        policy: 'pull-push',
        paths: ['.cache/'],
        when: 'on_success',
        fallback_keys: [],
      },
    ]);

    await commitFiles(t.ctx, project.id, {
      branch: 'feature',
      files: { 'notes.md': 'x\n' },
      message: 'Notes',
    });
    const feature = await createPipeline(t.ctx, project.id, { ref: 'feature' });
    expect(cacheOf(feature, 'shell-test')[0]?.key).toBe(`shell-${hash}-non_protected`);

    // A change to package.json is a new key.
    await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { 'package.json': '{"name": "changed"}\n' },
      message: 'Change package.json',
    });
    const changed = await createPipeline(t.ctx, project.id, { ref: 'main' });
    expect(cacheOf(changed, 'shell-test')[0]?.key).toBe(
      `shell-${digest([blobId(Buffer.from('{"name": "changed"}\n'))])}-protected`,
    );
  });

  it("hashes key files as GitLab does: wildcards, the index as prefix, 'default' for no file", async () => {
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      jobs: [
        {
          name: 'keys',
          script: ['true'],
          cache: [
            { key: { files: ['package.json', 'src/*.js'] }, paths: ['a/'] },
            { key: { files: ['missing.lock'] }, paths: ['b/'] },
            // `**/` needs a folder in GitLab's wildcard, and an empty prefix is left out.
            { key: { files: ['**/greet.js', '**/package.json'], prefix: '' }, paths: ['c/'] },
            { key: { files: ['**/package.json'], prefix: 'deep' }, paths: ['d/'] },
          ],
        },
      ],
    });
    const [pkg, greet] = [await sampleBlob('package.json'), await sampleBlob('src/greet.js')];
    expect(cacheOf(pipeline, 'keys').map((c) => c.key)).toEqual([
      `0-${digest([pkg, greet])}-protected`,
      '1-default-protected',
      `${digest([greet])}-protected`,
      'deep-default-protected',
    ]);
  });

  it('suffixes fallback keys too, and leaves unprotected caches unsuffixed as protected', async () => {
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      jobs: [
        {
          name: 'fallbacks',
          script: ['true'],
          variables: { CACHE_FALLBACK_KEY: 'global-fallback' },
          cache: [
            { key: 'deps-$CI_COMMIT_REF_SLUG', fallback_keys: ['deps-main', 'deps'] },
            { key: 'shared', unprotect: true, fallback_keys: ['older'] },
          ],
        },
      ],
    });
    const payload = buildJobPayload(t.ctx, job(pipeline, 'fallbacks'), runner);
    expect(payload.cache).toEqual([
      expect.objectContaining({
        key: 'deps-$CI_COMMIT_REF_SLUG-protected',
        fallback_keys: ['deps-main-protected', 'deps-protected'],
      }),
      expect.objectContaining({
        key: 'shared-non_protected',
        fallback_keys: ['older-non_protected'],
      }),
    ]);
    // CACHE_FALLBACK_KEY is an ordinary variable: GitLab sends it as written, without a suffix.
    expect(payload.variables).toContainEqual(
      expect.objectContaining({ key: 'CACHE_FALLBACK_KEY', value: 'global-fallback' }),
    );
    expect(job(pipeline, 'fallbacks').requiredFeatures).toContain('fallback_cache_keys');
  });

  it('refuses a fifth cache and a bad key when creating the pipeline, creating nothing', async () => {
    const five = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, paths: ['x/'] }));
    await expect(
      createPipeline(t.ctx, project.id, {
        ref: 'main',
        jobs: [{ name: 'many', script: ['true'], cache: five }],
      }),
    ).rejects.toThrow('jobs:many:cache config no more than 4 caches can be created');
    await expect(
      createPipeline(t.ctx, project.id, {
        yaml: 'bad:\n  script: [echo]\n  cache:\n    key: a/b\n',
        ref: 'main',
      }),
    ).rejects.toMatchObject({
      code: 'CiConfigError',
      message: 'jobs:bad:cache:key config cannot contain the "/" character',
    });
    expect(t.ctx.state.pipelines.size).toBe(0);
  });
});
