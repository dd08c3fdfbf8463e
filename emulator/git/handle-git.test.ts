import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../model.ts';
import { createPipeline } from '../pipelines/index.ts';
import { commitFiles, createProject, resolveCommit, setAllowAnyShaInWant } from './index.ts';
import { createTestContext, type TestContext } from './test-context.ts';
import { git, gitFails } from '../../test/support/git-cli.ts';

describe('git hosting', () => {
  let t: TestContext;
  let base: string;
  let work: string;
  let project: Project;

  beforeEach(async () => {
    t = await createTestContext();
    base = await t.listen();
    work = await mkdtemp(join(tmpdir(), 'tabrunner-git-test-'));
    const source = join(work, 'source');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'README.md'), 'hello\n');
    await writeFile(
      join(source, '.gitlab-ci.yml'),
      'build:\n  stage: build\n  script: [echo build]\ntest:\n  script: [echo test]\n',
    );
    project = await createProject(t.ctx, { path: 'demo', namespace: 'group', sourceDir: source });
  });

  afterEach(async () => {
    await t.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const url = (user: string, password: string) =>
    `${base.replace('http://', `http://${user}:${encodeURIComponent(password)}@`)}/group/demo.git`;

  async function runningJobToken(): Promise<{ token: string; pipelineId: number }> {
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'main' });
    const job = t.ctx.state.jobs.get(pipeline.jobIds[0] ?? -1);
    if (!job) throw new Error('no job');
    job.status = 'running';
    return { token: job.token, pipelineId: pipeline.id };
  }

  it('clones with the token of a running job of the project', async () => {
    const { token } = await runningJobToken();
    await git(['clone', '--quiet', url('gitlab-ci-token', token), join(work, 'clone')]);
    expect(await readFile(join(work, 'clone', 'README.md'), 'utf8')).toBe('hello\n');
  });

  it('refuses a wrong job token with 401 and a Basic challenge', async () => {
    await runningJobToken();
    const res = await fetch(`${base}/group/demo.git/info/refs?service=git-upload-pack`, {
      headers: { Authorization: `Basic ${btoa('gitlab-ci-token:glcbt-wrong')}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="GitLab"');
    expect(await res.text()).toContain('HTTP Basic: Access denied');
    const stderr = await gitFails([
      'clone',
      url('gitlab-ci-token', 'glcbt-wrong'),
      join(work, 'c'),
    ]);
    expect(stderr).toMatch(/Authentication failed|401/);
  });

  it('refuses the token of a finished job', async () => {
    const { token } = await runningJobToken();
    for (const job of t.ctx.state.jobs.values()) if (job.token === token) job.status = 'success';
    const stderr = await gitFails(['clone', url('gitlab-ci-token', token), join(work, 'c')]);
    expect(stderr).toMatch(/Authentication failed|401/);
  });

  it('asks for credentials when none are given', async () => {
    const res = await fetch(`${base}/group/demo.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="GitLab"');
  });

  it('answers 404 to a valid job token of another project', async () => {
    const other = await createProject(t.ctx, { path: 'other', namespace: 'group' });
    const { token } = await runningJobToken();
    const res = await fetch(`${base}/${other.fullPath}.git/info/refs?service=git-upload-pack`, {
      headers: { Authorization: `Basic ${btoa(`gitlab-ci-token:${token}`)}` },
    });
    expect(res.status).toBe(404);
  });

  it('leaves non-git paths to other handlers', async () => {
    const res = await fetch(`${base}/group/demo`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });

  it('writes refs/pipelines/<id> that a job can fetch by refspec, over protocol v2', async () => {
    const { token, pipelineId } = await runningJobToken();
    const sha = await resolveCommit(project, 'main');
    const repo = join(work, 'fetch');
    await git(['init', '--quiet', repo]);
    await git(
      [
        '-c',
        'protocol.version=2',
        'fetch',
        '--quiet',
        '--depth',
        '20',
        url('gitlab-ci-token', token),
        `+refs/pipelines/${pipelineId}:refs/pipelines/${pipelineId}`,
      ],
      repo,
    );
    expect(await git(['rev-parse', `refs/pipelines/${pipelineId}`], repo)).toBe(sha);
  });

  it('accepts pushes with admin credentials and refuses them with a job token', async () => {
    const { token } = await runningJobToken();
    const clone = join(work, 'push');
    await git(['clone', '--quiet', url('root', t.ctx.options.adminToken), clone]);
    await writeFile(join(clone, 'new.txt'), 'pushed\n');
    await git(['add', 'new.txt'], clone);
    await git(['commit', '--quiet', '-m', 'push test'], clone);
    await git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    const pushed = await git(['rev-parse', 'HEAD'], clone);
    expect(await resolveCommit(project, 'main')).toBe(pushed);

    const res = await fetch(`${base}/group/demo.git/info/refs?service=git-receive-pack`, {
      headers: { Authorization: `Basic ${btoa(`gitlab-ci-token:${token}`)}` },
    });
    expect(res.status).toBe(403);
    await git(['remote', 'set-url', 'origin', url('gitlab-ci-token', token)], clone);
    const stderr = await gitFails(['push', 'origin', 'HEAD:refs/heads/other'], clone);
    expect(stderr).toMatch(/403|not allowed/);
  });

  it('serves commits made with commitFiles to later fetches', async () => {
    const { token } = await runningJobToken();
    const sha = await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { 'later.txt': 'later\n' },
      message: 'later commit',
    });
    const clone = join(work, 'later');
    await git(['clone', '--quiet', url('gitlab-ci-token', token), clone]);
    expect(await git(['rev-parse', 'HEAD'], clone)).toBe(sha);
    expect(await readFile(join(clone, 'later.txt'), 'utf8')).toBe('later\n');
  });

  it('refuses an unadvertised sha when the project turns off any-sha wants', async () => {
    const { token } = await runningJobToken();
    const first = await resolveCommit(project, 'main');
    await commitFiles(t.ctx, project.id, { branch: 'main', files: { a: 'a' }, message: 'move on' });
    // Delete the pipeline ref so the old commit is reachable but not advertised by any ref tip.
    await git([`--git-dir=${project.gitDir}`, 'update-ref', '-d', 'refs/pipelines/1']);
    const repo = join(work, 'sha');
    await git(['init', '--quiet', repo]);
    const fetchSha = [
      '-c',
      'protocol.version=0',
      'fetch',
      '--quiet',
      url('gitlab-ci-token', token),
      String(first),
    ];
    await git(fetchSha, repo);
    setAllowAnyShaInWant(t.ctx, project.id, false);
    await git(['init', '--quiet', join(work, 'sha2')]);
    const stderr = await gitFails(fetchSha, join(work, 'sha2'));
    expect(stderr).toMatch(/unadvertised object|not our ref/);
  });

  it('injects a status fault with Retry-After', async () => {
    t.faults.next = { kind: 'status', status: 429, retryAfter: 7 };
    const res = await fetch(`${base}/group/demo.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });
});
