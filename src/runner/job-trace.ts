/**
 * One job's trace: what the runner and the script write, masked (per stream, across chunks),
 * timestamped when the job wants it, shown to listeners, and stored in the trace buffer the
 * sender reads. Order of stages as in gitlab-runner (docs/runner-protocol.md §6.6, §9.6, §9.8): mask → timestamp →
 * tap → buffer. Listeners get exactly the bytes GitLab gets.
 */
import {
  STREAM_RUNNER,
  STREAM_SCRIPT,
  Timestamper,
  TraceBuffer,
  commandEcho,
  createMasker,
  error,
  headerLines,
  notice,
  println,
  sectionEnd,
  sectionStart,
  shortToken,
  stageHeader,
  warning,
  type Masker,
  type Masking,
} from '../job/index.ts';
import type { Clock } from '../platform/clock.ts';
import { TABRUNNER_REVISION, TABRUNNER_VERSION } from './version.ts';

export interface JobTraceOptions {
  limit: number;
  masking: Masking;
  /** `features.trace_sections`: write section markers or not. */
  sections: boolean;
  /** `FF_SCRIPT_SECTIONS`: fold each multi-line command in a section of its own (docs/runner-protocol.md §9.3). */
  scriptSections: boolean;
  /** Prefix each line with GitLab's timestamp header (docs/runner-protocol.md §9.6). */
  timestamps: boolean;
  clock: Clock;
  /** The bytes as stored, for a live view. */
  onOutput: (chunk: Uint8Array) => void;
}

export class JobTrace {
  readonly buffer: TraceBuffer;
  readonly #options: JobTraceOptions;
  // One masker per stream, as the Go runner has: runner lines never split a script's secret.
  readonly #scriptMasker: Masker;
  readonly #runnerMasker: Masker;
  readonly #timestamper: Timestamper | null;
  readonly #encoder = new TextEncoder();
  readonly #writeListeners: (() => void)[] = [];
  #closed = false;

  constructor(options: JobTraceOptions) {
    this.#options = options;
    this.buffer = new TraceBuffer({ limit: options.limit });
    this.#scriptMasker = createMasker(options.masking);
    this.#runnerMasker = createMasker(options.masking);
    this.#timestamper = options.timestamps
      ? new Timestamper({ now: () => options.clock.now() })
      : null;
  }

  /** Called after every write that reached the buffer (the sender schedules a PATCH). */
  onWrite(listener: () => void): void {
    this.#writeListeners.push(listener);
  }

  /** Raw output of the job's script (stdout and stderr merged, as executors deliver it). */
  output(chunk: Uint8Array): void {
    this.#store(STREAM_SCRIPT, this.#scriptMasker.write(chunk));
  }

  /** End of a command's output: release what the masker and timestamper hold, keep the log live. */
  flushOutput(): void {
    this.#store(STREAM_SCRIPT, this.#scriptMasker.flush());
    if (this.#timestamper) this.#emit(this.#timestamper.flush());
  }

  /** Runner text: masked too (a notice can quote a URL with credentials). */
  text(text: string): void {
    if (text === '') return;
    const masked = this.#runnerMasker.write(this.#encoder.encode(text));
    this.#store(STREAM_RUNNER, concat(masked, this.#runnerMasker.flush()));
  }
  /**
   * Text GitLab's runner prints from inside the job's shell (echoed commands, git progress):
   * stream 01 like the script's output (docs/runner-protocol.md §9.6), after what the script wrote before it.
   */
  scriptText(text: string): void {
    if (text === '') return;
    const masked = this.#scriptMasker.write(this.#encoder.encode(text));
    this.#store(STREAM_SCRIPT, concat(masked, this.#scriptMasker.flush()));
  }

  header(runner: { name: string; token: string; systemId: string }): void {
    this.text(
      headerLines({
        version: TABRUNNER_VERSION,
        revision: TABRUNNER_REVISION,
        runnerName: runner.name,
        shortToken: shortToken(runner.token),
        systemId: runner.systemId,
      }),
    );
  }

  sectionStart(name: string, options: { collapsed?: boolean } = {}): void {
    if (this.#options.sections) this.text(sectionStart(name, this.#unixSeconds(), options));
  }

  sectionEnd(name: string): void {
    if (this.#options.sections) this.text(sectionEnd(name, this.#unixSeconds()));
  }

  stageHeader(text: string): void {
    this.text(stageHeader(text));
  }

  println(text: string): void {
    this.text(println(text));
  }

  notice(text: string): void {
    this.text(notice(text));
  }

  warning(text: string): void {
    this.text(warning(text));
  }

  error(text: string): void {
    this.text(error(text));
  }

  /** A line the job's shell would print (git progress from get_sources), in the matching printer. */
  line(kind: 'notice' | 'plain' | 'warning', text: string): void {
    if (kind === 'notice') this.scriptText(notice(text));
    else if (kind === 'warning') this.scriptText(warning(text));
    else this.scriptText(`${text}\n`);
  }

  /** Echo a command as GitLab's runner does, with a folded section for multi-line ones. */
  echo(command: string, index: number, prefix: string): void {
    const sections = this.#options.sections && this.#options.scriptSections;
    this.scriptText(
      commandEcho(command, { index, prefix, sections, unixSeconds: this.#unixSeconds() }),
    );
  }

  /** The job's closing text, already formatted (e.g. `closingLine(outcome)`); then no more writes. */
  close(closing: string): void {
    if (this.#closed) return;
    this.flushOutput();
    this.text(closing);
    if (this.#timestamper) this.#emit(this.#timestamper.flush());
    this.#closed = true;
  }

  #store(stream: number, bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    this.#emit(this.#timestamper ? this.#timestamper.write(stream, 'O', bytes) : bytes);
  }

  #emit(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // Listeners get what the buffer stored (cut at the limit with the notice, UTF-8 repaired),
    // not what was offered, so the page shows exactly GitLab's bytes.
    const before = this.buffer.length;
    this.buffer.write(bytes);
    const stored = this.buffer.read(before, this.buffer.length - before);
    if (stored.length === 0) return;
    this.#options.onOutput(stored);
    for (const listener of this.#writeListeners) listener();
  }

  #unixSeconds(): number {
    return Math.floor(this.#options.clock.now() / 1000);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
