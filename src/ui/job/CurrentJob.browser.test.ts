/** The job panel's clock and terminal in a real page, fed runner events through a real `JobView`. */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { sectionEnd, sectionStart } from '../../job/index.ts';
import { JobView } from '../state/job-view.svelte.ts';
import { cleanup, render } from '../testing/render.ts';
import CurrentJob from './CurrentJob.svelte';

const JOB = {
  id: 42,
  name: 'test',
  stage: 'test',
  projectPath: 'group/project',
  pipelineId: 7,
  url: 'http://gitlab.test/group/project/-/jobs/42',
};

const encoder = new TextEncoder();

describe('the current job', () => {
  afterEach(async () => {
    await cleanup();
    await page.viewport(1280, 900);
  });

  it('counts in seconds from the start: "0 s", not milliseconds', async () => {
    const job = new JobView();
    job.handle({ type: 'job-started', job: JOB, at: Date.now() });
    render(CurrentJob, { job });
    const clock = page.getByTestId('job-elapsed');
    await expect.element(clock).toBeVisible();
    // Read once: a retried match would pass in the end with any format, once ten seconds passed.
    expect(clock.element().textContent).toMatch(/^\d s$/);
  });

  it('never shows section markers, even where a narrow terminal wraps them', async () => {
    await page.viewport(320, 800);
    const job = new JobView();
    job.handle({ type: 'job-started', job: JOB, at: Date.now() });
    render(CurrentJob, { job });
    const t = 1_796_360_507;
    const trace =
      sectionStart('prepare_executor_with_a_long_name', t, { collapsed: true }) +
      'Preparing the executor\n' +
      sectionEnd('prepare_executor_with_a_long_name', t) +
      '\n' +
      sectionStart('step_script', t) +
      'Executing the script\n' +
      sectionEnd('step_script', t) +
      '\nall done\n';
    // Cut mid-marker, as the runner's chunks may be.
    const cut = trace.indexOf(':step_script') + 3;
    for (const part of [trace.slice(0, cut), trace.slice(cut)]) {
      job.handle({ type: 'job-output', jobId: JOB.id, chunk: encoder.encode(part) });
    }
    // xterm's DOM renderer paints its rows on an animation frame.
    const rows = () =>
      page.getByTestId('terminal').element().querySelector('.xterm-rows')?.textContent ?? '';
    await expect.poll(rows, { timeout: 5_000 }).toContain('all done');
    const shown = rows();
    expect(shown).toContain('Preparing the executor');
    expect(shown).toContain('Executing the script');
    expect(shown).not.toContain('section_');
  });
});
