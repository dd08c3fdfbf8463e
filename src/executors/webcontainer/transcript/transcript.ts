/**
 * A transcript: what the WebContainer API was asked and what it answered while the executor
 * contract ran, case by case. The self-check page records one on a real WebContainer; the test
 * double replays committed ones (test/fixtures/webcontainer/), which is how this project learns
 * the truth about a runtime its machines cannot reach (docs/webcontainer-transcripts.md).
 *
 * What is kept: every call that changes something (boot, teardown, mount, spawn, file writes),
 * every failed call, and per process every output chunk exactly as the API delivered it, every
 * write to its stdin, `kill()`, the exit code, whether the output stream closed, and the files
 * it changed. Reads that succeed are left out (the stage shell lists directories often). Times
 * are milliseconds: for calls since the case started, for process events since the spawn.
 */
import { z } from 'zod';

/** The first case of every transcript: boot and the probe, before any contract case. */
export const BOOT_CASE = '(boot)';

const at = z.number().nonnegative();

const fileEffect = z.object({
  path: z.string(),
  /** The new content, base64; absent for a file too large to keep (`size` says how large). */
  base64: z.string().optional(),
  size: z.number().int().nonnegative(),
});

const processEventSchema = z.discriminatedUnion('type', [
  z.object({ at, type: z.literal('output'), data: z.string() }),
  z.object({ at, type: z.literal('input'), data: z.string() }),
  z.object({ at, type: z.literal('input-closed') }),
  z.object({ at, type: z.literal('kill') }),
  z.object({ at, type: z.literal('exit'), code: z.number().int() }),
  z.object({ at, type: z.literal('exit-error'), error: z.string() }),
  z.object({ at, type: z.literal('closed') }),
  /** Files under the workdir the process wrote or removed (node_modules and .npm left out). */
  z.object({
    at,
    type: z.literal('files'),
    written: z.array(fileEffect),
    removed: z.array(z.string()),
  }),
]);

const transcriptCallSchema = z.discriminatedUnion('call', [
  z.object({
    at,
    call: z.literal('boot'),
    ms: z.number().nonnegative(),
    workdir: z.string().optional(),
    path: z.string().optional(),
    error: z.string().optional(),
  }),
  z.object({ at, call: z.literal('teardown'), error: z.string().optional() }),
  /** An `error` event the container emitted. */
  z.object({ at, call: z.literal('error-event'), message: z.string() }),
  z.object({
    at,
    call: z.literal('mount'),
    mountPoint: z.string().optional(),
    kind: z.enum(['tree', 'snapshot']),
    bytes: z.number().int().nonnegative(),
    error: z.string().optional(),
  }),
  z.object({
    at,
    call: z.literal('fs'),
    op: z.string(),
    path: z.string(),
    to: z.string().optional(),
    bytes: z.number().int().nonnegative().optional(),
    error: z.string().optional(),
  }),
  z.object({
    at,
    call: z.literal('spawn'),
    command: z.string(),
    args: z.array(z.string()),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    terminal: z.object({ cols: z.number(), rows: z.number() }).optional(),
    error: z.string().optional(),
    events: z.array(processEventSchema),
  }),
]);

const transcriptCaseSchema = z.object({
  name: z.string(),
  /** How the case ended where it was recorded. */
  result: z
    .object({
      status: z.enum(['passed', 'failed']),
      ms: z.number().nonnegative(),
      error: z.string().optional(),
    })
    .optional(),
  calls: z.array(transcriptCallSchema),
});

export const transcriptSchema = z.object({
  format: z.literal('tabrunner-webcontainer-transcript'),
  version: z.literal(1),
  /** False for a transcript written from documentation rather than recorded in a browser. */
  recorded: z.boolean(),
  /** Where an unrecorded transcript's behaviour comes from. */
  basis: z.string().optional(),
  recordedAt: z.string().optional(),
  userAgent: z.string().optional(),
  /** The `@webcontainer/api` version of the page that recorded it. */
  apiVersion: z.string().optional(),
  /** The container's workdir where it was recorded; paths in the cases are below it. */
  workdir: z.string(),
  /** The container's default PATH. */
  path: z.string(),
  cases: z.array(transcriptCaseSchema),
});

export type ProcessEvent = z.infer<typeof processEventSchema>;
export type TranscriptCall = z.infer<typeof transcriptCallSchema>;
export type SpawnCall = Extract<TranscriptCall, { call: 'spawn' }>;
export type TranscriptCase = z.infer<typeof transcriptCaseSchema>;
export type Transcript = z.infer<typeof transcriptSchema>;

/** Read a transcript from JSON text; a malformed one is refused with what is wrong. */
export function parseTranscript(text: string): Transcript {
  const parsed = transcriptSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `Not a tabrunner WebContainer transcript: ${first?.path.join('.') ?? ''} ${first?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}
