import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../git/index.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Job } from '../model.ts';
import { createPipeline } from '../pipelines/index.ts';
import { handlePage } from './index.ts';

describe('handlePage', () => {
  let t: TestContext;
  let base: string;
  let source: string;
  let job: Job;

  beforeAll(async () => {
    t = await createTestContext();
    base = await t.listen(handlePage);
    source = await mkdtemp(join(tmpdir(), 'tabrunner-page-'));
    await writeFile(join(source, 'a.txt'), 'a\n');
    const project = await createProject(t.ctx, { path: 'web', sourceDir: source });
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      jobs: [{ name: 'build <b>', stage: 'build', script: ['x'] }],
    });
    const found = t.ctx.state.jobs.get(pipeline.jobIds[0] ?? -1);
    if (!found) throw new Error('no job');
    job = found;
    job.status = 'running';
    job.startedAt = t.ctx.clock.now();
    job.trace = new TextEncoder().encode(
      `cloning http://gitlab-ci-token:${job.token}@host/x.git\n<i>out</i>\n` +
        `git remote add workshop http://workshop:${t.ctx.options.workshopPassword}@host/x.git\n`,
    );
    job.artifactsStored.push({
      artifactType: 'archive',
      artifactFormat: 'zip',
      filename: 'artifacts.zip',
      data: new Uint8Array([1, 2, 3]),
      expiresAt: null,
      uploadedAt: 0,
    });
  });
  afterAll(async () => {
    await t.dispose();
    await rm(source, { recursive: true, force: true });
  });

  it('lists pipelines and jobs with states, escaped, and refreshes while they run', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Pipeline #');
    expect(html).toMatch(
      new RegExp(`<a href="/-/jobs/${job.id}" title="running[^"]*">build &lt;b&gt;</a>`),
    );
    expect(html).toContain('status-running');
    expect(html).toContain('http-equiv="refresh"');
    expect(html).not.toContain(job.token);
  });

  it('draws stages as columns in order, and a config error as GitLab words it', async () => {
    const project = t.ctx.state.projects.values().next().value;
    if (!project) throw new Error('no project');
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      stages: ['build', 'test', 'deploy'],
      jobs: [
        { name: 'ship', stage: 'deploy', script: ['x'] },
        { name: 'compile', stage: 'build', script: ['x'] },
        { name: 'unit', stage: 'test', script: ['x'] },
      ],
    });
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await res.text();
    const card = html.slice(html.indexOf(`id="pipeline-${pipeline.id}"`));
    const columns = [...card.matchAll(/<div class="stage"><h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(columns.slice(0, 3)).toEqual(['build', 'test', 'deploy']);
    expect(card.indexOf('>compile<')).toBeLessThan(card.indexOf('>unit<'));
    expect(card.indexOf('>unit<')).toBeLessThan(card.indexOf('>ship<'));

    pipeline.configError = 'jobs:unit config contains unknown keys: scirpt';
    pipeline.status = 'failed';
    const failed = await (await fetch(`${base}/`)).text();
    const failedCard = failed.slice(failed.indexOf(`id="pipeline-${pipeline.id}"`));
    expect(failedCard).toMatch(/^[^]*?status-failed/);
    expect(failedCard).toContain('yaml invalid');
    expect(failedCard).toContain(
      'This GitLab CI configuration is invalid: jobs:unit config contains unknown keys: scirpt',
    );
  });

  it('shows a job trace with tokens masked and lists artifact downloads', async () => {
    const html = await (await fetch(`${base}/root/web/-/jobs/${job.id}`)).text();
    expect(html).not.toContain(job.token);
    expect(html).toContain('gitlab-ci-token:[MASKED]@host');
    expect(html).not.toContain(t.ctx.options.workshopPassword);
    expect(html).toContain('workshop:[MASKED]@host');
    expect(html).toContain('&lt;i&gt;out&lt;/i&gt;');
    expect(html).toContain(`href="/-/jobs/${job.id}/artifacts/0"`);
    const download = await fetch(`${base}/-/jobs/${job.id}/artifacts/0`);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('answers 404 for unknown jobs and leaves other paths alone', async () => {
    expect((await fetch(`${base}/-/jobs/99999`)).status).toBe(404);
    const other = await fetch(`${base}/api/v4/jobs/request`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('');
  });

  it('shows GitLab’s stuck message for a pending job no online runner can take', async () => {
    const project = t.ctx.state.projects.values().next().value;
    if (!project) throw new Error('no project');
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      jobs: [{ name: 'needs-node', stage: 'build', script: ['node -v'], tags: ['node'] }],
    });
    const id = pipeline.jobIds[0] ?? -1;
    expect(t.ctx.state.jobs.get(id)?.status).toBe('pending');
    const overview = await (await fetch(`${base}/`)).text();
    expect(overview).toMatch(/class="stuck" title="This job is stuck because the project/);
    const html = await (await fetch(`${base}/-/jobs/${id}`)).text();
    expect(html).toContain(
      'This job is stuck because the project doesn&#39;t have any runners online assigned to it.',
    );
  });
});
