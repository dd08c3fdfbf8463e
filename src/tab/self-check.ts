/**
 * The self-check (`/?self-check`, or "Check this browser" in Settings): boots a real
 * WebContainer in this page and runs the executor contract on it, case by case, while the
 * transcript recorder writes down every call and every chunk that came back. The page shows
 * the verdict and offers the transcript for download; committed to test/fixtures/webcontainer,
 * it is what the test double replays (docs/webcontainer-transcripts.md).
 *
 * `unavailable` means WebContainer could not start here (not cross-origin isolated, an
 * unsupported browser, stackblitz.com out of reach); it is decided within the boot timeout.
 */
import { casesFor, ContractSession, DEFAULT_CASE_TIMEOUT_MS } from '../executors/contract/index.ts';
import {
  createWebContainerExecutor,
  WEBCONTAINER_CAPABILITIES,
  webContainerSupport,
  type WebContainerSupport,
} from '../executors/webcontainer/index.ts';
import { loadWebContainerApi, type WebContainerApi } from '../executors/webcontainer/container.ts';
import {
  TranscriptRecorder,
  type TranscriptMeta,
} from '../executors/webcontainer/transcript/recorder.ts';
import type { Transcript } from '../executors/webcontainer/transcript/transcript.ts';
import { systemClock, within } from '../platform/clock.ts';

export type CaseStatus = 'waiting' | 'running' | 'passed' | 'failed';

export interface SelfCheckCase {
  name: string;
  group: string;
  status: CaseStatus;
  ms?: number;
  error?: string;
}

export type Verdict = 'running' | 'pass' | 'fail' | 'unavailable';

export interface SelfCheckReport {
  verdict: Verdict;
  /** What is happening or, for `unavailable`, why. */
  detail: string;
  /** `node --version` in the container, once booted. */
  nodeVersion?: string;
  cases: SelfCheckCase[];
}

export interface SelfCheckOptions {
  /** A new report after every step. */
  onUpdate(report: SelfCheckReport): void;
  /** StackBlitz API key from Settings, if any. */
  apiKey?: string;
  /** Tests and the synthetic transcript pass a double; the page uses the real API. */
  api?: () => Promise<WebContainerApi>;
  support?: () => WebContainerSupport;
  /** Told the name of each case as it starts (a transcript replay follows along). */
  onCase?: (name: string) => void;
  /**
   * What the transcript says about where it was made.
   * @default recorded in this browser: its user agent and the page's API version
   */
  meta?: TranscriptMeta;
}

export interface SelfCheck {
  /** Resolves with the final report. */
  done: Promise<SelfCheckReport>;
  /** The transcript so far (complete once `done` resolved). */
  transcript(): Transcript;
}

export function startSelfCheck(options: SelfCheckOptions): SelfCheck {
  const recorder = new TranscriptRecorder({
    meta: options.meta ?? {
      recorded: true,
      userAgent: globalThis.navigator?.userAgent ?? 'unknown',
      ...(typeof __WEBCONTAINER_API_VERSION__ === 'string'
        ? { apiVersion: __WEBCONTAINER_API_VERSION__ }
        : {}),
    },
  });
  const done = run(options, recorder);
  return { done, transcript: () => recorder.transcript() };
}

async function run(
  options: SelfCheckOptions,
  recorder: TranscriptRecorder,
): Promise<SelfCheckReport> {
  const checks = casesFor(WEBCONTAINER_CAPABILITIES).map((contractCase) => {
    const entry: SelfCheckCase = {
      name: contractCase.name,
      group: contractCase.group,
      status: 'waiting',
    };
    return { contractCase, entry };
  });
  const cases = checks.map((check) => check.entry);
  const report = (verdict: Verdict, detail: string, extra: Partial<SelfCheckReport> = {}) => {
    const next: SelfCheckReport = {
      verdict,
      detail,
      cases: cases.map((c) => ({ ...c })),
      ...extra,
    };
    options.onUpdate(next);
    return next;
  };

  const support = (options.support ?? webContainerSupport)();
  if (!support.ok) return report('unavailable', support.reason);

  report('running', 'Starting a WebContainer (it loads from stackblitz.com)…');
  const executor = createWebContainerExecutor({
    api: async () => recorder.wrap(await (options.api ?? loadWebContainerApi)()),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.support ? { support: options.support } : {}),
  });
  const session = new ContractSession(executor);
  try {
    let nodeVersion: string | undefined;
    try {
      nodeVersion = (await session.info()).nodeVersion;
    } catch (err) {
      return report('unavailable', message(err));
    }
    for (const [index, { contractCase, entry }] of checks.entries()) {
      entry.status = 'running';
      report('running', `Running “${contractCase.name}”…`, nodeVersion ? { nodeVersion } : {});
      recorder.useCase(contractCase.name);
      options.onCase?.(contractCase.name);
      const started = performance.now();
      const timeoutMs = contractCase.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
      // A case that never ends is a failure of that case, not a self-check that never ends.
      const outcome = await within(systemClock, session.run(contractCase), timeoutMs).then(
        (result) => (result === 'timeout' ? 'hung' : 'passed'),
        (err: unknown) => {
          entry.error = message(err);
          return 'failed';
        },
      );
      if (outcome === 'hung')
        entry.error = `did not finish within ${Math.round(timeoutMs / 1000)} s`;
      entry.status = outcome === 'passed' ? 'passed' : 'failed';
      entry.ms = Math.round(performance.now() - started);
      recorder.endCase({
        status: entry.status === 'passed' ? 'passed' : 'failed',
        ms: entry.ms,
        ...(entry.error ? { error: entry.error } : {}),
      });
      if (outcome === 'hung') {
        // The case still holds the sandbox: what follows would only report that it is busy.
        for (const rest of cases.slice(index + 1)) {
          rest.status = 'failed';
          rest.error = 'not run: the check before it did not finish';
        }
        break;
      }
    }
    const failed = cases.filter((c) => c.status === 'failed').length;
    return report(
      failed === 0 ? 'pass' : 'fail',
      failed === 0
        ? `All ${cases.length} checks passed: this browser runs Node jobs.`
        : `${failed} of ${cases.length} checks failed. Download the transcript and attach it to an issue.`,
      nodeVersion ? { nodeVersion } : {},
    );
  } finally {
    await session.dispose().catch(() => undefined);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
