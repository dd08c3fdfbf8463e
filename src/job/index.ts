/**
 * The public surface of `src/job`: pure job logic (payload → plan, variables, masking, trace
 * text, failure reasons). Other areas import from here only.
 *
 * Trace pipeline, per output stream: `createMasker` → (page terminal tap) → `Timestamper`
 * (when `plan.timestamps`) → `TraceBuffer` → trace sender.
 */
export {
  createMasker,
  defaultTokenPrefixes,
  maskingPhrases,
  normalisePhrases,
  tokenPrefixes,
  MAX_TOKEN_PREFIXES,
  type Masker,
  type MaskerOptions,
  type MaskingPhraseOptions,
} from './masker.ts';
export {
  TraceBuffer,
  DEFAULT_TRACE_LIMIT,
  limitNotice,
  type TraceBufferOptions,
} from './trace-buffer.ts';
export {
  ANSI,
  error,
  headerLines,
  jobFailed,
  jobSucceeded,
  notice,
  println,
  shortToken,
  stageHeader,
  systemFailure,
  warning,
  type HeaderInfo,
} from './log-printer.ts';
export {
  commandEcho,
  sectionEnd,
  sectionStart,
  type CommandEchoOptions,
  type SectionOptions,
} from './sections.ts';
export {
  STREAM_RUNNER,
  STREAM_SCRIPT,
  Timestamper,
  type TimestamperOptions,
} from './timestamper.ts';
export { expandVariables } from './expand.ts';
export {
  buildJobVariables,
  jobStatusVariable,
  VariableList,
  type FileVariable,
  type RunnerContext,
} from './variables.ts';
export {
  DEFAULT_AFTER_SCRIPT_TIMEOUT_SECONDS,
  DEFAULT_JOB_TIMEOUT_SECONDS,
  jobTimeoutSeconds,
  parseBool,
  readSettings,
  type GitStrategy,
  type JobSettings,
  type SettingsResult,
  type SubmoduleStrategy,
} from './settings.ts';
export { formatGoDuration, parseGoDuration } from './go-duration.ts';
export {
  allFailureReasons,
  alwaysSupportedFailureReasons,
  CANCELED_WARNING_TEXT,
  closingLine,
  exitCodeOf,
  failureReasonFallbacks,
  failureReasonOf,
  failureText,
  mapFailureReason,
  timeoutWarningText,
  type FailureReason,
  type JobFailure,
  type JobOutcome,
} from './failure-reason.ts';
export {
  planJob,
  type JobPlan,
  type Masking,
  type PlanContext,
  type PlannedStep,
  type PlanRejection,
} from './plan.ts';
export { LogText } from './log-text.ts';
