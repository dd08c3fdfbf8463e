/**
 * Commands that browser-project tests (`*.browser.test.ts`) call through vitest's `commands`:
 * they run in the Node process and give a page a real GitLab emulator to talk to, and a look
 * at what GitLab then knows. Registered in vitest.config.ts.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BrowserCommand } from 'vitest/node';
import { startEmulator, type Emulator } from '../../emulator/index.ts';

/** What a page gets back: where GitLab is and tokens it accepts. */
export interface TestGitLab {
  id: number;
  url: string;
  /** A `glrt-` runner authentication token of a runner created for the test. */
  runnerToken: string;
  runnerId: number;
  /** The instance's legacy registration token. */
  registrationToken: string;
}

/** A runner as GitLab keeps it. */
export interface TestGitLabRunner {
  id: number;
  description: string;
  tags: string[];
  runUntagged: boolean;
  /** `system_id`s of its runner managers. */
  managers: string[];
}

declare module 'vitest/browser' {
  interface BrowserCommands {
    startGitLab: () => Promise<TestGitLab>;
    gitLabRunners: (id: number) => Promise<TestGitLabRunner[]>;
    stopGitLab: (id: number) => Promise<void>;
    /** The committed WebContainer transcripts' file names (test/fixtures/webcontainer/), sorted. */
    listTranscripts: () => Promise<string[]>;
    /** A committed WebContainer transcript's JSON (test/fixtures/webcontainer/<name>). */
    readTranscript: (name: string) => Promise<string>;
  }
}

const running = new Map<number, Emulator>();
let nextId = 1;

const startGitLab: BrowserCommand<[], TestGitLab> = async () => {
  // No long polling: a runner a test starts gets its empty answer at once and stops promptly.
  const emulator = await startEmulator({ longPollSeconds: 0 });
  const id = nextId++;
  running.set(id, emulator);
  const runner = emulator.createRunner({ description: 'created for the test' });
  return {
    id,
    url: emulator.url,
    runnerToken: runner.token,
    runnerId: runner.id,
    registrationToken: emulator.registrationToken,
  };
};

const gitLabRunners: BrowserCommand<[id: number], TestGitLabRunner[]> = (_context, id) => {
  const emulator = running.get(id);
  if (!emulator) throw new Error(`no test GitLab ${id}`);
  return [...emulator.state.runners.values()].map((r) => ({
    id: r.id,
    description: r.description,
    tags: r.tags,
    runUntagged: r.runUntagged,
    managers: [...r.managers.keys()],
  }));
};

const stopGitLab: BrowserCommand<[id: number], void> = async (_context, id) => {
  await running.get(id)?.close();
  running.delete(id);
};

const TRANSCRIPTS = join(import.meta.dirname, '../fixtures/webcontainer');
const TRANSCRIPT_NAME = /^[\w.-]+\.transcript\.json(\.gz)?$/;

const listTranscripts: BrowserCommand<[], string[]> = async () =>
  (await readdir(TRANSCRIPTS)).filter((name) => TRANSCRIPT_NAME.test(name)).sort();

const readTranscript: BrowserCommand<[name: string], string> = async (_context, name) => {
  if (!TRANSCRIPT_NAME.test(name)) throw new Error(`not a transcript: ${name}`);
  const raw = await readFile(join(TRANSCRIPTS, name));
  return (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
};

export const browserCommands = {
  startGitLab,
  gitLabRunners,
  stopGitLab,
  listTranscripts,
  readTranscript,
};
