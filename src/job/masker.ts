/**
 * The streaming masker every byte of the trace passes before it is stored, sent or shown
 * (docs/runner-protocol.md §9.8, DESIGN "Data that must never leak").
 *
 * Stages, in the Go runner's order: phrases (masked variables, job token) → secret URL
 * parameters → token prefixes → URL passwords (ours). Each stage is streaming and holds back
 * only bytes that may still belong to a secret; see each stage's comment. The result of any
 * chunking, byte by byte included, equals the result of masking the whole output at once.
 *
 * Holdback rule, overall: a byte is delayed only while it may be the start of a secret, token
 * prefix, sensitive `?key=` or `://user:password@`. None of those contain a newline (unless a
 * masked value does), so a finished line is always released at once and the trace stays live.
 */
import type { JobVariable } from '../gitlab/job-payload.ts';
import { BytePositions } from './byte-positions.ts';
import { concat } from '../bytes/concat-bytes.ts';
import { PhraseMasker } from './phrase-masker.ts';
import type { StreamRewriter } from './stream-rewriter.ts';
import { TokenMasker } from './token-masker.ts';
import { UrlParamMasker } from './url-param-masker.ts';
import { UserinfoMasker } from './userinfo-masker.ts';

/**
 * Prefixes of GitLab tokens masked in every job (docs/runner-protocol.md §9.8 item 3, with `FF_MASK_ALL_DEFAULT_TOKENS`
 * on as in the current runner).
 */
export const defaultTokenPrefixes: readonly string[] = [
  'glpat-',
  'gloas-',
  'gldt-',
  'glrt-',
  'glcbt-',
  'glrtr-',
  'glptt-',
  'glft-',
  'glimt-',
  'glagent-',
  'glsoat-',
  'glffct-',
  '_gitlab_session=',
  'gltok-',
];

/** The Go runner honours at most this many prefixes; extras are ignored (docs/runner-protocol.md §9.8). */
export const MAX_TOKEN_PREFIXES = 15;

export interface MaskerOptions {
  /** Exact values to hide; trimmed, de-duplicated and empty ones dropped here. */
  phrases: readonly string[];
  /** Token prefixes, usually `tokenPrefixes(payload.features.token_mask_prefixes)`. */
  tokenPrefixes: readonly string[];
}

export interface Masker {
  /** Mask a chunk; returns what is safe to show now (possibly empty while a secret may start). */
  write(chunk: Uint8Array): Uint8Array;
  /**
   * End of output (or of one command's output): the held tail, masked. The masker starts
   * afresh and may be written to again.
   */
  flush(): Uint8Array;
  /**
   * `write` without joining: the masked output as pieces, in order, which may be views of
   * `chunk` or shared constants. Read them before the next call; never write to them. Saves a
   * copy when the consumer takes pieces anyway (the trace buffer, a terminal).
   */
  writeParts(chunk: Uint8Array): Uint8Array[];
  /** `flush` without joining. */
  flushParts(): Uint8Array[];
}

export function createMasker({ phrases, tokenPrefixes }: MaskerOptions): Masker {
  // The `=` positions the URL-parameter stage finds serve the token stage too (one search).
  const equals = new BytePositions(0x3d);
  const stages: StreamRewriter[] = [
    new PhraseMasker(normalisePhrases(phrases)),
    new UrlParamMasker(equals),
    new TokenMasker(tokenPrefixes.slice(0, MAX_TOKEN_PREFIXES), equals),
    new UserinfoMasker(),
  ];
  // Pieces flow from stage to stage without being joined (each stage is chunking-proof), so a
  // chunk with secrets in it is copied once, at the end, not once per stage.
  const pass = (pieces: Uint8Array[], flush: boolean): Uint8Array[] => {
    equals.clear();
    try {
      for (const stage of stages) {
        const next: Uint8Array[] = [];
        for (const piece of pieces) stage.writeParts(piece, next);
        if (flush) stage.flushParts(next);
        pieces = next;
      }
    } finally {
      equals.clear();
    }
    return pieces;
  };
  return {
    write: (chunk) => concat(pass([chunk], false)),
    flush: () => concat(pass([], true)),
    writeParts: (chunk) => pass([chunk], false),
    flushParts: () => pass([], true),
  };
}

/** Trimmed, distinct, non-empty; longest first (the order the Go runner matches in). */
export function normalisePhrases(phrases: readonly string[]): string[] {
  const unique = new Set(phrases.map((p) => p.trim()).filter((p) => p.length > 0));
  return [...unique].sort((a, b) => b.length - a.length);
}

/**
 * The defaults and the job's own prefixes as GitLab's runner takes them (its
 * `common/buildlogger/build_logger.go` and `internal/unique.go`): together, sorted by length and
 * then bytewise, without duplicates, the first 15. So the shortest win: a job's short prefixes
 * are kept before the longest defaults.
 */
export function tokenPrefixes(fromPayload: readonly string[] = []): string[] {
  const all = [...defaultTokenPrefixes, ...fromPayload].filter((p) => p.length > 0);
  // Go compares the UTF-8 bytes: each prefix is encoded once, not at every comparison.
  const encoder = new TextEncoder();
  const keyed = [...new Set(all)].map((prefix) => ({ prefix, bytes: encoder.encode(prefix) }));
  keyed.sort(({ bytes: x }, { bytes: y }) => {
    if (x.length !== y.length) return x.length - y.length;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
  return keyed.slice(0, MAX_TOKEN_PREFIXES).map(({ prefix }) => prefix);
}

export interface MaskingPhraseOptions {
  /** The job token (`payload.token`): masked even if no variable carries it. */
  jobToken?: string;
}

/**
 * Values to mask for a job: every `masked` variable (file variables included: their value is
 * the file's content) and the job token. Pass variables whose values are already expanded
 * (`VariableList.expanded()`), as the Go runner masks values after its own expansion (docs/runner-protocol.md §9.8).
 */
export function maskingPhrases(
  variables: readonly JobVariable[],
  { jobToken }: MaskingPhraseOptions = {},
): string[] {
  const values = variables.filter((v) => v.masked).map((v) => v.value);
  if (jobToken) values.push(jobToken);
  return normalisePhrases(values);
}
