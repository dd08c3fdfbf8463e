/**
 * The Runner panel in a real page: a real `RunnerView` fed with real `RunnerEvent`s, under a
 * real `AppView`. The tab's `BrowserRunner` is a small recording fake (`RecordingRunner`): the
 * real one needs a GitLab and a live poll loop to reach each state, and what matters here is
 * which of its verbs the buttons call and what the panel shows for the events it emits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import {
  maskToken,
  type BrowserRunner,
  type RunnerEvent,
  type RunnerState,
} from '../../tab/browser-runner.ts';
import { Emitter, type StopMode } from '../../runner/index.ts';
import { AppView } from '../state/app-view.svelte.ts';
import { RunnerView } from '../state/runner-view.svelte.ts';
import { formatClock } from '../format.ts';
import { freshTab } from '../testing/fresh-tab.ts';
import { cleanup, renderWithApp } from '../testing/render.ts';
import RunnerPanel from './RunnerPanel.svelte';

/** Just the part of `BrowserRunner` that `RunnerView` uses; records each verb. */
class RecordingRunner {
  readonly events = new Emitter<RunnerEvent>();
  readonly systemId = 's_0123456789ab';
  readonly calls: string[] = [];
  state: RunnerState = 'stopped';
  active = false;
  /** `start()` resolves when this does: lets a test look at the panel while starting. */
  starting: Promise<void> = Promise.resolve();

  async start(): Promise<void> {
    this.calls.push('start');
    await this.starting;
    this.active = true;
    this.emit({ type: 'state', state: 'polling' });
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  stop(mode: StopMode): void {
    this.calls.push(`stop ${mode}`);
  }
  emit(event: RunnerEvent): void {
    if (event.type === 'state') this.state = event.state;
    this.events.emit(event);
  }
}

const TOKEN = 'glrt-t1_abcdefghijklmnopqrst';
let fake: RecordingRunner;
let finished: string[];
let app: AppView;

beforeEach(async () => {
  await freshTab();
  fake = new RecordingRunner();
  finished = [];
  app = new AppView({ origin: location.origin, search: '' });
  // What AppView sets from a saved connection (its store is not needed to render the panel).
  app.connection = {
    gitlabUrl: 'https://gitlab.example.com',
    relayUrl: 'https://relay.example',
    executor: 'shell',
    runnerId: 42,
    registeredHere: false,
  };
  app.maskedToken = maskToken(TOKEN);
  const view = new RunnerView(fake as unknown as BrowserRunner, (event) =>
    finished.push(`${event.job.id} ${event.result}`),
  );
  app.runnerView = view;
  renderWithApp(app, RunnerPanel, { runner: view });
});
afterEach(cleanup);

const panel = () => page.getByRole('region', { name: 'Runner' });
const badge = () => panel().getByRole('status');
const button = (name: string) => page.getByRole('button', { name, exact: true });

function jobFinished(id: number, result: 'success' | 'failed' | 'canceled'): RunnerEvent {
  const job = {
    id,
    name: `job ${id}`,
    stage: 'test',
    projectPath: 'group/project',
    pipelineId: 7,
    url: `https://gitlab.example.com/group/project/-/jobs/${id}`,
  };
  return {
    type: 'job-finished',
    job,
    result,
    failureReason: result === 'failed' ? 'script_failure' : null,
    exitCode: result === 'failed' ? 1 : 0,
    startedAt: 1_000,
    finishedAt: 2_000,
    stages: [],
    reported: true,
  };
}

describe('RunnerPanel', () => {
  it('shows a stopped runner with its connection and no token', async () => {
    await expect.element(badge()).toHaveTextContent('Stopped');
    await expect.element(panel()).toHaveTextContent(/Last contact\s*not yet/);
    await expect.element(panel()).toHaveTextContent(/Jobs run\s*0/);
    await expect.element(panel()).toHaveTextContent(/Success rate\s*–/);
    await expect.element(panel()).toHaveTextContent(/Runner id\s*#42/);
    await expect.element(panel()).toHaveTextContent(/System id\s*s_0123456789ab/);
    await expect.element(panel()).toHaveTextContent(/Executor\s*Shell sandbox/);
    await expect.element(panel()).toHaveTextContent('via relay.example');
    await expect
      .element(panel().getByRole('link', { name: 'https://gitlab.example.com' }))
      .toHaveAttribute('href', 'https://gitlab.example.com');
    await expect.element(panel()).not.toHaveTextContent(TOKEN);
    await expect.element(panel()).toHaveTextContent(maskToken(TOKEN));
    await expect.element(button('Start runner')).toBeEnabled();
    await expect.element(button('Pause')).not.toBeInTheDocument();
    await expect.element(button('Stop now')).not.toBeInTheDocument();
  });

  it('starts the runner, with every control disabled until it is up', async () => {
    let up = () => {};
    fake.starting = new Promise((resolve) => (up = resolve));
    await userEvent.click(button('Start runner'));
    expect(fake.calls).toEqual(['start']);
    await expect.element(badge()).toHaveTextContent('Starting');
    await expect.element(button('Pause')).toBeDisabled();
    await expect.element(button('Stop after this job')).toBeDisabled();
    await expect.element(button('Stop now')).toBeDisabled();

    up();
    await expect.element(badge()).toHaveTextContent('Waiting for jobs');
    await expect.element(button('Pause')).toBeEnabled();
    await expect.element(button('Stop after this job')).toBeEnabled();
    await expect.element(button('Stop now')).toBeEnabled();
    await expect.element(button('Start runner')).not.toBeInTheDocument();
  });

  it('pauses and resumes', async () => {
    fake.emit({ type: 'state', state: 'polling' });
    await userEvent.click(button('Pause'));
    expect(fake.calls).toEqual(['pause']);
    fake.emit({ type: 'state', state: 'paused' });
    await expect.element(badge()).toHaveTextContent('Paused');
    await expect.element(button('Pause')).not.toBeInTheDocument();
    await userEvent.click(button('Resume'));
    expect(fake.calls).toEqual(['pause', 'resume']);
  });

  it('stops after the running job, then lets a stop now through, then offers a start again', async () => {
    fake.emit({ type: 'state', state: 'running' });
    await expect.element(badge()).toHaveTextContent('Running a job');
    await userEvent.click(button('Stop after this job'));
    expect(fake.calls).toEqual(['stop graceful']);
    await expect.element(badge()).toHaveTextContent('Stopping after this job');
    await expect.element(button('Stop after this job')).toBeDisabled();
    await expect.element(button('Pause')).toBeDisabled();
    await expect.element(button('Stop now')).toBeEnabled();

    await userEvent.click(button('Stop now'));
    expect(fake.calls).toEqual(['stop graceful', 'stop immediate']);
    await expect.element(button('Stop now')).toBeDisabled();

    fake.emit({ type: 'state', state: 'stopped' });
    await expect.element(badge()).toHaveTextContent('Stopped');
    await expect.element(button('Start runner')).toBeEnabled();
  });

  it('counts finished jobs and shows the success rate', async () => {
    fake.emit(jobFinished(1, 'success'));
    fake.emit(jobFinished(2, 'failed'));
    fake.emit(jobFinished(3, 'success'));
    fake.emit(jobFinished(4, 'success'));
    await expect.element(panel()).toHaveTextContent(/Jobs run\s*4/);
    await expect.element(panel()).toHaveTextContent(/Success rate\s*75%\s*\(3 ok, 1 failed\)/);
    expect(finished).toEqual(['1 success', '2 failed', '3 success', '4 success']);
  });

  it('shows GitLab unreachable from the first failed request until one gets through', async () => {
    const problem = () => page.getByTestId('contact-problem');
    fake.emit({ type: 'state', state: 'running' });
    fake.emit({ type: 'contact', at: Date.now() - 125_000, ok: true, problem: '' });
    await expect.element(panel()).toHaveTextContent(/Last contact\s*2 min ago/);
    const since = Date.now() - 30_000;
    fake.emit({ type: 'contact', at: since, ok: false, problem: '503 Service Unavailable' });
    fake.emit({
      type: 'contact',
      at: Date.now(),
      ok: false,
      problem: 'no answer (Failed to fetch)',
    });
    await expect.element(badge()).toHaveTextContent('Running a job · GitLab unreachable');
    await expect.element(badge()).toHaveAttribute('data-contact', 'unreachable');
    await expect
      .element(problem())
      .toHaveTextContent(
        `GitLab unreachable since ${formatClock(since)}, retrying. Last attempt: no answer (Failed to fetch).`,
      );
    await expect.element(problem()).toHaveTextContent('Check that GitLab and the relay are up');
    await expect.element(panel()).toHaveTextContent(/Last contact\s*2 min ago\s*\(nothing since\)/);

    fake.emit({ type: 'contact', at: Date.now(), ok: true, problem: '' });
    await expect.element(problem()).not.toBeInTheDocument();
    await expect.element(badge()).toHaveTextContent(/^\s*Running a job\s*$/);
    await expect.element(badge()).toHaveAttribute('data-contact', 'ok');
    await expect.element(panel()).toHaveTextContent(/Last contact\s*just now/);

    // A stopped runner asks nothing: an outage it saw last says nothing about GitLab now.
    fake.emit({ type: 'contact', at: Date.now(), ok: false, problem: '502 Bad Gateway' });
    await expect.element(problem()).toBeInTheDocument();
    fake.emit({ type: 'state', state: 'stopped' });
    await expect.element(problem()).not.toBeInTheDocument();
    await expect.element(badge()).toHaveTextContent(/^\s*Stopped\s*$/);
  });

  it('shows a message said again right after itself once, with how many times', async () => {
    const boxes = () => panel().getByTestId('runner-error');
    const again = 'GitLab answered 502 Bad Gateway to the job request.';
    fake.emit({ type: 'error', message: again, fatal: false });
    fake.emit({ type: 'error', message: again, fatal: false });
    fake.emit({ type: 'error', message: again, fatal: false });
    await expect.element(boxes()).toHaveTextContent(`${again} (×3)`);
    expect(boxes().elements()).toHaveLength(1);
    fake.emit({ type: 'error', message: 'Something else.', fatal: false });
    fake.emit({ type: 'error', message: again, fatal: false });
    await expect.element(boxes().nth(2)).toHaveTextContent(again);
    expect(
      boxes()
        .elements()
        .map((e) => e.textContent?.trim()),
    ).toEqual([`${again} (×3)`, 'Something else.', again]);
  });

  it('offers to forget a runner GitLab no longer knows, right in the message', async () => {
    fake.emit({
      type: 'error',
      message: "GitLab refused this runner's token (403 Forbidden) when asking for a job.",
      fatal: false,
      code: 'runner-token-refused',
    });
    await expect.element(page.getByRole('alert')).toHaveTextContent('403 Forbidden');
    // Once is not yet "no longer knows": GitLab may have had a moment.
    await expect.element(button('Forget this runner')).not.toBeInTheDocument();
    fake.emit({
      type: 'error',
      message: 'GitLab no longer knows this runner.',
      fatal: true,
      code: 'runner-token-refused',
    });
    fake.emit({ type: 'state', state: 'error' });
    const forget = page.getByRole('alert').getByRole('button', { name: 'Forget this runner' });
    await expect.element(forget).toBeVisible();
    expect(app.screen).not.toBe('connect');
    await userEvent.click(forget);
    await expect.poll(() => app.screen, { timeout: 5_000 }).toBe('connect');
  });

  it('shows runner errors until dismissed', async () => {
    fake.emit({
      type: 'error',
      message: 'GitLab no longer accepts this runner token',
      fatal: true,
    });
    fake.emit({ type: 'state', state: 'error' });
    await expect.element(badge()).toHaveTextContent('Error');
    await expect
      .element(page.getByRole('alert'))
      .toHaveTextContent('GitLab no longer accepts this runner token');
    await expect.element(button('Start runner')).toBeEnabled();
    await userEvent.click(button('Dismiss'));
    await expect.element(page.getByRole('alert')).not.toBeInTheDocument();
  });
});
