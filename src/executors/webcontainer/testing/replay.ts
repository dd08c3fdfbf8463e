/**
 * Replays a transcript (../transcript/transcript.ts) through the test double: each spawn the
 * executor makes is matched, by command and arguments, to the next unused recording of that
 * call in the current case (then in the boot case), and its process plays back what was
 * recorded: the output chunks exactly as they came, the exit code or the rejected exit, the
 * output closing or never closing, the files it changed, and a `kill()` waited for where the
 * recording has one. The shell's own work needs no replay: it runs for real in the stage shell.
 */
import { encodeString } from '../../../platform/byte-encoding.ts';
import {
  BOOT_CASE,
  type ProcessEvent,
  type SpawnCall,
  type Transcript,
} from '../transcript/transcript.ts';
import { FakeApi, FakeContainer, type Programs, type SpawnRequest } from './fake-container.ts';
import { FakeProcess } from './fake-process.ts';

/** Recorded pauses longer than this are shortened, so tests stay fast. */
const MAX_DELAY_MS = 20;

/**
 * After the exit, pauses are kept as recorded (up to a second): whether late output arrives
 * within the executor's drain grace is what such a recording is about.
 */
const MAX_DELAY_AFTER_EXIT_MS = 1_000;

export class TranscriptReplay {
  readonly transcript: Transcript;
  readonly #used = new Set<SpawnCall>();
  #case: string = BOOT_CASE;

  constructor(transcript: Transcript) {
    this.transcript = transcript;
  }

  /** Spawns from now on are looked up in this case first. */
  useCase(name: string): void {
    this.#case = name;
  }

  /** An API whose containers look like the recorded one and replay its programs. */
  api(): FakeApi {
    const api = new FakeApi(this.programs);
    api.nextBoot = async () =>
      new FakeContainer({
        workdir: this.transcript.workdir,
        path: this.transcript.path,
        programs: this.programs,
      });
    return api;
  }

  readonly programs: Programs = (request) => {
    const recording = this.#find(request);
    if (!recording) {
      const shown = [request.command, ...request.args].map((a) => JSON.stringify(a)).join(' ');
      throw new Error(
        `The transcript has no recording of ${shown} in case "${this.#case}"; record one with /?self-check.`,
      );
    }
    this.#used.add(recording);
    if (recording.error !== undefined) throw new Error(recording.error);
    const process = new FakeProcess();
    void this.#play(process, recording.events, request.container);
    return process;
  };

  #find(request: SpawnRequest): SpawnCall | undefined {
    const args = JSON.stringify(request.args);
    for (const name of [this.#case, BOOT_CASE]) {
      const calls = this.transcript.cases.find((c) => c.name === name)?.calls ?? [];
      const found = calls.find(
        (call): call is SpawnCall =>
          call.call === 'spawn' &&
          !this.#used.has(call) &&
          call.command === request.command &&
          JSON.stringify(call.args) === args,
      );
      if (found) return found;
    }
    return undefined;
  }

  async #play(
    process: FakeProcess,
    events: ProcessEvent[],
    container: FakeContainer,
  ): Promise<void> {
    let killed!: () => void;
    const kill = new Promise<void>((resolve) => (killed = resolve));
    // The recording says what the program did after kill(); nothing happens by itself.
    process.onKill = () => killed();
    let last = 0;
    let exited = false;
    for (const [index, event] of events.entries()) {
      if (event.type === 'kill') {
        await kill;
        last = event.at;
        continue;
      }
      const cap = exited ? MAX_DELAY_AFTER_EXIT_MS : MAX_DELAY_MS;
      await pause(Math.min(Math.max(0, event.at - last), cap));
      last = event.at;
      exited ||= event.type === 'exit' || event.type === 'exit-error';
      if (container.tornDown) return;
      switch (event.type) {
        case 'output':
          process.print(event.data);
          break;
        case 'exit': {
          // Where it was recorded, the executor's next change waited for the recorder's look at
          // the files, which ends later in the list: here they are in place before the exit.
          const files = events
            .slice(index + 1)
            .find((later): later is FilesEvent => later.type === 'files');
          if (files) await applyFiles(container, files);
          process.end(event.code);
          break;
        }
        case 'exit-error':
          process.abort(event.error);
          break;
        case 'closed':
          process.close();
          break;
        case 'files':
        case 'input':
        case 'input-closed':
          // Files were applied with the exit; input was ours, not the program's.
          break;
      }
    }
  }
}

type FilesEvent = Extract<ProcessEvent, { type: 'files' }>;

async function applyFiles(container: FakeContainer, event: FilesEvent): Promise<void> {
  for (const path of event.removed) await container.fs.rm(path, { recursive: true, force: true });
  for (const file of event.written) {
    if (file.base64 === undefined) continue;
    const slash = file.path.lastIndexOf('/');
    if (slash > 0) await container.fs.mkdir(file.path.slice(0, slash), { recursive: true });
    await container.fs.writeFile(file.path, encodeString(file.base64, 'base64'));
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
