import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, createProject } from '../git/index.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import { finishJob } from '../jobs/index.ts';
import type { Job, Pipeline, Project } from '../model.ts';
import { createPipeline } from '../pipelines/index.ts';
import { handlePage, signInUrl } from './index.ts';

const CI = `stages: [build, test]
build: {stage: build, script: [echo build]}
test: {stage: test, script: [echo test]}
deploy: {stage: test, script: [echo deploy], when: manual}
`;

describe('the page’s actions', () => {
  let t: TestContext;
  let base: string;
  let source: string;
  let project: Project;
  let cookie: string;

  beforeAll(async () => {
    t = await createTestContext();
    base = await t.listen(handlePage);
    source = await mkdtemp(join(tmpdir(), 'tabrunner-page-actions-'));
    await writeFile(join(source, '.gitlab-ci.yml'), CI);
    project = await createProject(t.ctx, { path: 'room', sourceDir: source });
    const signIn = await fetch(signInUrl(t.ctx), { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/');
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(t.ctx.options.adminToken);
    cookie = setCookie.split(';')[0] ?? '';
  });
  afterAll(async () => {
    await t.dispose();
    await rm(source, { recursive: true, force: true });
  });

  const jobsOf = (pipeline: Pipeline): Job[] =>
    pipeline.jobIds.map((id) => t.ctx.state.jobs.get(id)).filter((j): j is Job => !!j);
  const named = (pipeline: Pipeline, name: string): Job => {
    const job = jobsOf(pipeline).find((j) => j.name === name);
    if (!job) throw new Error(`no job ${name}`);
    return job;
  };
  const post = (
    path: string,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  const asInstructor = (path: string, fields: Record<string, string> = {}) =>
    post(path, fields, { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' });
  const newPipeline = () => createPipeline(t.ctx, project.id, { ref: 'main' });

  it('shows buttons only to the signed-in instructor, never the admin token', async () => {
    const pipeline = await newPipeline();
    const anonymous = await (await fetch(`${base}/`)).text();
    expect(anonymous).not.toContain('<form');
    expect(anonymous).toContain('Read-only view');
    const signedIn = await (await fetch(`${base}/`, { headers: { Cookie: cookie } })).text();
    expect(signedIn).toContain(`action="/-/pipelines/${pipeline.id}/cancel"`);
    expect(signedIn).toContain(`action="/-/jobs/${named(pipeline, 'build').id}/cancel"`);
    expect(signedIn).toContain('href="/-/pipelines/new"');
    expect(signedIn).not.toContain(t.ctx.options.adminToken);
    const bad = await fetch(`${base}/-/sign-in?code=${'0'.repeat(64)}`, { redirect: 'manual' });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('set-cookie')).toBeNull();
  });

  it('refuses actions without the session, from another site, or with a wrong token, and changes nothing', async () => {
    const pipeline = await newPipeline();
    const build = named(pipeline, 'build');
    const refusals = [
      await post(`/-/jobs/${build.id}/cancel`),
      await post(`/-/jobs/${build.id}/cancel`, { admin_token: 'wrong' }),
      await post(
        `/-/jobs/${build.id}/cancel`,
        {},
        { Cookie: cookie, Origin: 'http://evil.example' },
      ),
      await post(
        `/-/jobs/${build.id}/cancel`,
        {},
        { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' },
      ),
      await post(`/-/pipelines/${pipeline.id}/cancel`),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toMatch(/sign-in link|another site/);
      expect(html).not.toContain(t.ctx.options.adminToken);
    }
    expect(build.status).toBe('pending');
    expect(pipeline.status).toBe('pending');
    // The admin token in the form is the scripted way in.
    const scripted = await post(`/-/jobs/${build.id}/cancel`, {
      admin_token: t.ctx.options.adminToken,
    });
    expect(scripted.status).toBe(303);
    expect(build.status).toBe('canceled');
  });

  it('retries a finished job as GitLab does: a new pending job, the old one retried, later jobs waiting again', async () => {
    const pipeline = await newPipeline();
    const build = named(pipeline, 'build');
    finishJob(t.ctx, build, 'failed', { failureReason: 'script_failure' });
    expect(named(pipeline, 'test').status).toBe('skipped');
    expect(pipeline.status).toBe('failed');

    const res = await asInstructor(`/-/jobs/${build.id}/retry`);
    expect(res.status).toBe(303);
    const clone = named(pipeline, 'build');
    expect(res.headers.get('location')).toBe(`/-/jobs/${clone.id}`);
    expect(clone.id).not.toBe(build.id);
    expect(clone.token).not.toBe(build.token);
    expect(clone).toMatchObject({ status: 'pending', stage: 'build', steps: build.steps });
    expect(build.retried).toBe(true);
    expect(build.status).toBe('failed');
    expect(named(pipeline, 'test').status).toBe('created');
    expect(pipeline.status).toBe('pending');

    const overview = await (await fetch(`${base}/`, { headers: { Cookie: cookie } })).text();
    expect(overview).toContain('1 retried job');
    const old = await (await fetch(`${base}/-/jobs/${build.id}`)).text();
    expect(old).toContain(`The latest is <a href="/-/jobs/${clone.id}">`);

    finishJob(t.ctx, clone, 'success');
    expect(named(pipeline, 'test').status).toBe('pending');
    expect(pipeline.status).toBe('running');

    const again = await asInstructor(`/-/jobs/${build.id}/retry`);
    expect(again.status).toBe(409);
    expect(named(pipeline, 'build')).toBe(clone);
  });

  it('plays a manual job and cancels a whole pipeline', async () => {
    const pipeline = await newPipeline();
    finishJob(t.ctx, named(pipeline, 'build'), 'success');
    const deploy = named(pipeline, 'deploy');
    expect(deploy.status).toBe('manual');
    const played = await asInstructor(`/-/jobs/${deploy.id}/play`, { back: '/' });
    expect(played.status).toBe(303);
    expect(played.headers.get('location')).toBe('/');
    expect(deploy.status).toBe('pending');

    const canceled = await asInstructor(`/-/pipelines/${pipeline.id}/cancel`, {
      back: '//evil.example',
    });
    expect(canceled.status).toBe(303);
    expect(canceled.headers.get('location')).toBe(`/#pipeline-${pipeline.id}`);
    expect(jobsOf(pipeline).map((j) => j.status)).toEqual(['success', 'canceled', 'canceled']);
    expect(pipeline.status).toBe('canceled');
  });

  it('runs a pipeline for a branch with variables, and shows a config error on the form', async () => {
    const form = await (
      await fetch(`${base}/-/pipelines/new`, { headers: { Cookie: cookie } })
    ).text();
    expect(form).toContain(`<option value="${project.id}:main">main</option>`);
    expect((await fetch(`${base}/-/pipelines/new`)).status).toBe(403);

    const before = t.ctx.state.pipelines.size;
    const res = await asInstructor('/-/pipelines', {
      target: `${project.id}:main`,
      variables: 'DEPLOY=staging\n\nGREETING=hello = world\n',
    });
    expect(res.status).toBe(303);
    const pipeline = [...t.ctx.state.pipelines.values()].at(-1);
    expect(res.headers.get('location')).toBe(`/#pipeline-${pipeline?.id}`);
    expect(pipeline?.source).toBe('web');
    expect(pipeline?.variables.map((v) => [v.key, v.value])).toEqual([
      ['DEPLOY', 'staging'],
      ['GREETING', 'hello = world'],
    ]);
    expect(t.ctx.state.pipelines.size).toBe(before + 1);

    const badLine = await asInstructor('/-/pipelines', {
      target: `${project.id}:main`,
      variables: 'no equals',
    });
    expect(badLine.status).toBe(400);
    expect(await badLine.text()).toContain('Variables line 1');
    await commitFiles(t.ctx, project.id, {
      branch: 'broken',
      files: { '.gitlab-ci.yml': 'job:\n  scirpt: [x]\n' },
      message: 'typo',
    });
    const invalid = await asInstructor('/-/pipelines', {
      target: `${project.id}:broken`,
      variables: 'A=1',
    });
    expect(invalid.status).toBe(400);
    const html = await invalid.text();
    expect(html).toContain('This GitLab CI configuration is invalid: jobs:job');
    expect(html).toContain('<option value="' + project.id + ':broken" selected>');
    expect(t.ctx.state.pipelines.size).toBe(before + 1);
  });

  it('refuses a form body that is too large or not a form', async () => {
    const big = await asInstructor('/-/pipelines', { variables: 'A='.padEnd(70_000, 'x') });
    expect(big.status).toBe(413);
    const json = await fetch(`${base}/-/pipelines`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: base },
      body: '{"target":"1:main"}',
    });
    expect(json.status).toBe(415);
  });
});
