import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, createProject } from '../git/index.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Job, JobStatus } from '../model.ts';
import { pipelineJobs } from '../test-support/index.ts';
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

  it('serves the project and pipeline pages CI_PROJECT_URL and CI_PIPELINE_URL name', async () => {
    const project = t.ctx.state.projects.get(job.projectId);
    if (!project) throw new Error('no project');
    const other = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      jobs: [{ name: 'other', script: ['x'] }],
    });
    const ids = (html: string) =>
      [...html.matchAll(/id="pipeline-(\d+)"/g)].map((m) => Number(m[1]));

    const projectPage = await fetch(`${base}/${project.fullPath}`);
    expect(projectPage.status).toBe(200);
    const listed = ids(await projectPage.text());
    expect(listed).toContain(job.pipelineId);
    expect(listed).toContain(other.id);

    const one = await fetch(`${base}/${project.fullPath}/-/pipelines/${job.pipelineId}`);
    expect(one.status).toBe(200);
    const html = await one.text();
    expect(ids(html)).toEqual([job.pipelineId]);
    // It reloads itself, not the whole list, while its job runs.
    expect(html).toContain(`url=/${project.fullPath}/-/pipelines/${job.pipelineId}`);

    for (const missing of [`/${project.fullPath}/-/pipelines/999999`, '/no/such-project']) {
      expect((await fetch(`${base}${missing}`)).status, missing).toBe(404);
    }
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

  it('groups parallel and matrix instances as GitLab does: one pill with a count and the composite status', async () => {
    const project = t.ctx.state.projects.values().next().value;
    if (!project) throw new Error('no project');
    await commitFiles(t.ctx, project.id, {
      branch: 'parallel',
      files: {
        '.gitlab-ci.yml': [
          'unit: {script: [x], parallel: 2}',
          'lint: {script: [x], parallel: 2, allow_failure: true}',
          'deploy: {script: [x], parallel: {matrix: [{CLOUD: [aws, gcp], APP: [app]}]}}',
          'single: {script: [x]}',
          '',
        ].join('\n'),
      },
      message: 'parallel jobs',
    });
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'parallel' });
    const jobs = pipelineJobs(t.ctx.state, pipeline);
    const set = (name: string, status: JobStatus) => {
      const found = jobs.find((j) => j.name === name);
      if (!found) throw new Error(`no job ${name} in ${jobs.map((j) => j.name).join(', ')}`);
      found.status = status;
    };
    set('unit 1/2', 'success');
    set('unit 2/2', 'failed');
    set('lint 1/2', 'success');
    set('lint 2/2', 'failed'); // allowed to fail: the group passed (with warnings)
    set('deploy: [aws, app]', 'running');
    set('deploy: [gcp, app]', 'pending');

    const html = await (await fetch(`${base}/`)).text();
    const card = html.slice(html.indexOf(`id="pipeline-${pipeline.id}"`)).split('</section>')[0];
    const groups = [
      ...(card ?? '').matchAll(
        /<summary class="job status-(\w+)"[^>]*>.*?<span class="group-name">([^<]+)<\/span><span class="count">(\d+)<\/span>/g,
      ),
    ].map((m) => `${m[2]} ${m[3]} ${m[1]}`);
    expect(groups).toEqual(['unit 2 failed', 'lint 2 success', 'deploy 2 running']);
    // The instances are inside their group, each with its own pill and log link.
    const unit = card?.slice(card.indexOf('class="group-name">unit<')) ?? '';
    const unitJobs = unit.slice(0, unit.indexOf('</details>'));
    expect(unitJobs).toContain('>unit 1/2</a>');
    expect(unitJobs).toContain('>unit 2/2</a>');
    expect(card).toContain('>deploy: [aws, app]</a>');
    // A job alone stays a plain pill.
    expect(card).toMatch(/<div class="job status-pending">.*?>single<\/a>/);
    expect(card).not.toContain('class="group-name">single<');
    // Named by its commit, as GitLab's pipeline list is.
    expect(card).toMatch(
      /<span class="commit-title">parallel jobs<\/span> <span class="facts">by \S/,
    );
  });
});
