/**
 * The words for the sandbox's jobs a shell runner will not take (the `node`-tagged ones of the
 * sample pipeline, which `npm start` lists in `/sandbox.json`): the Connect form's sandbox note
 * and the runner page's "Jobs for another runner" panel say the same thing. Pure.
 */

/** A job of the sandbox's pipeline and the tags it needs. */
export interface WaitingJob {
  name: string;
  tags: string[];
}

export interface WaitingJobsText {
  /** `lint and test`. */
  names: string;
  /** `needs` or `need`, to follow `names`. */
  needs: 'needs' | 'need';
  /** `it` or `them`. */
  them: 'it' | 'them';
  /** The tags they ask for, each once: `node`. */
  tags: string;
  /** Why this browser cannot run the WebContainer executor, or null when it can. */
  cannotRun: string | null;
}

export function waitingJobsText(
  jobs: readonly WaitingJob[],
  /** What the Connect form offers (`executorChoices()`); only the WebContainer entry counts. */
  choices: readonly { name: string; available: boolean; reason: string }[],
): WaitingJobsText {
  const webContainer = choices.find((choice) => choice.name === 'webcontainer');
  const one = jobs.length === 1;
  return {
    names: jobs.map((job) => job.name).join(' and '),
    needs: one ? 'needs' : 'need',
    them: one ? 'it' : 'them',
    tags: [...new Set(jobs.flatMap((job) => job.tags))].join(', '),
    cannotRun: webContainer?.available
      ? null
      : webContainer?.reason || 'this build of tabrunner has no WebContainer executor.',
  };
}
