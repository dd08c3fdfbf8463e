/**
 * What `tabrunner run` prints on stdout, in the three `--log-format`s of docs/cli.md:
 * `raw` is the trace as GitLab stores it (colours, section markers) for a terminal, `plain` is
 * text for a file or a pipe, `json` is one object per line for programs. Timestamp prefixes
 * (docs/runner-protocol.md §9.6) are already hidden by LogText in all three.
 */
import { PlainText } from './plain-text.ts';
import type { CliIo } from './main.ts';

export const LOG_FORMATS = ['raw', 'plain', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

export interface JobRef {
  id: number;
  name: string;
  url?: string | undefined;
}

export interface JobEnd {
  result: string;
  failureReason?: string | null;
  reported: boolean;
}

export interface LogOutput {
  /** The runner is up and polling. */
  polling(details: { version: string; url: string; systemId: string; once: boolean }): void;
  jobStarted(job: JobRef): void;
  /** Display text of the running job's trace (UTF-8 decoded, timestamps hidden). */
  jobText(text: string): void;
  /** The job ended; its unfinished last line, if any, is printed first. */
  jobFinished(job: JobRef, end: JobEnd): void;
}

export function createLogOutput(format: LogFormat, io: CliIo, now: () => Date): LogOutput {
  return format === 'json' ? jsonOutput(io, now) : textOutput(format, io);
}

function textOutput(format: 'raw' | 'plain', io: CliIo): LogOutput {
  let lines = lineSplitter(format);
  const print = (text: string[]) => {
    for (const line of text) io.out(line);
  };
  return {
    polling({ version, url, systemId, once }) {
      io.out(
        `tabrunner ${version} polling ${url} as system ID ${systemId}${once ? ' (one job)' : ''}`,
      );
    },
    jobStarted(job) {
      lines = lineSplitter(format);
      io.out(`Job ${job.id} (${job.name}) started${job.url ? `: ${job.url}` : ''}`);
    },
    jobText(text) {
      print(lines.push(text));
    },
    jobFinished(job, end) {
      print(lines.flush());
      io.out(
        `Job ${job.id} ${end.result}${end.failureReason ? ` (${end.failureReason})` : ''}` +
          `${end.reported ? '' : ' — GitLab did not confirm the final state'}`,
      );
    },
  };
}

function jsonOutput(io: CliIo, now: () => Date): LogOutput {
  let lines = new PlainText();
  let jobId = 0;
  const emit = (fields: Record<string, unknown>) =>
    io.out(JSON.stringify({ time: now().toISOString(), ...fields }));
  const print = (text: string[]) => {
    for (const line of text) emit({ job: jobId, line });
  };
  return {
    polling({ version, url, systemId, once }) {
      emit({ event: 'polling', version, url, systemId, once });
    },
    jobStarted(job) {
      lines = new PlainText();
      jobId = job.id;
      emit({ event: 'job-started', job: job.id, name: job.name, url: job.url ?? null });
    },
    jobText(text) {
      print(lines.push(text));
    },
    jobFinished(job, end) {
      print(lines.flush());
      emit({
        event: 'job-finished',
        job: job.id,
        result: end.result,
        failureReason: end.failureReason ?? null,
        reported: end.reported,
      });
    },
  };
}

/** Lines as they are (`raw`) or as plain text; both hold back the unfinished last line. */
function lineSplitter(format: 'raw' | 'plain'): {
  push(text: string): string[];
  flush(): string[];
} {
  if (format === 'plain') return new PlainText();
  let partial = '';
  return {
    push(text) {
      const pieces = (partial + text).split('\n');
      partial = pieces.pop() ?? '';
      return pieces;
    },
    flush() {
      const rest = partial;
      partial = '';
      return rest === '' ? [] : [rest];
    },
  };
}
