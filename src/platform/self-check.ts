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
import { casesFor, ContractSession } from '../executors/contract/index.ts';
import {
  createWebContainerExecutor,
  WEBCONTAINER_CAPABILITIES,
  webContainerSupport,
  type WebContainerSupport,
} from '../executors/webcontainer/index.ts';
import { loadWebContainerApi, type WebContainerApi } from '../executors/webcontainer/container.ts';
import { TranscriptRecorder } from '../executors/webcontainer/transcript/recorder.ts';
import type { Transcript } from '../executors/webcontainer/transcript/transcript.ts';
import type { Clock } from './clock.ts';

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
  /** @default 30_000 */
  bootTimeoutMs?: number;
  /** Tests pass a double; the page uses the real API. */
  api?: () => Promise<WebContainerApi>;
  support?: () => WebContainerSupport;
  clock?: Clock;
  /** What the transcript says about where it was made. @default navigator.userAgent */
  userAgent?: string;
  /** Told the name of each case as it starts (a transcript replay follows along). */
  onCase?: (name: string) => void;
}

export interface SelfCheck {
  /** Resolves with the final report. */
  done: Promise<SelfCheckReport>;
  /** The transcript so far (complete once `done` resolved). */
  transcript(): Transcript;
}

export function startSelfCheck(options: SelfCheckOptions): SelfCheck {
  const recorder = new TranscriptRecorder({
    meta: {
      recorded: true,
      userAgent: options.userAgent ?? globalThis.navigator?.userAgent ?? 'unknown',
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
  const cases: SelfCheckCase[] = casesFor([...WEBCONTAINER_CAPABILITIES]).map((c) => ({
    name: c.name,
    group: c.group,
    status: 'waiting',
  }));
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
    bootTimeoutMs: options.bootTimeoutMs ?? 30_000,
    ...(options.support ? { support: options.support } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const session = new ContractSession(executor);
  try {
    let nodeVersion: string | undefined;
    try {
      nodeVersion = (await session.info()).nodeVersion;
    } catch (err) {
      return report('unavailable', message(err));
    }
    const contract = casesFor([...WEBCONTAINER_CAPABILITIES]);
    for (const [index, contractCase] of contract.entries()) {
      const entry = cases[index];
      if (!entry) continue;
      entry.status = 'running';
      report('running', `Running “${contractCase.name}”…`, nodeVersion ? { nodeVersion } : {});
      recorder.useCase(contractCase.name);
      options.onCase?.(contractCase.name);
      const started = performance.now();
      let hung = false;
      try {
        await withTimeout(session.run(contractCase), contractCase.timeoutMs ?? 30_000);
        entry.status = 'passed';
      } catch (err) {
        entry.status = 'failed';
        entry.error = message(err);
        hung = err instanceof CaseTimeout;
      }
      entry.ms = Math.round(performance.now() - started);
      recorder.endCase({
        status: entry.status === 'passed' ? 'passed' : 'failed',
        ms: entry.ms,
        ...(entry.error ? { error: entry.error } : {}),
      });
      if (hung) {
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

class CaseTimeout extends Error {}

/** A case that never ends is a failure of that case, not a self-check that never ends. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CaseTimeout(`did not finish within ${Math.round(ms / 1000)} s`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
