/**
 * The base of every error tabrunner raises on purpose. Callers compare `code`, never
 * `instanceof`, so errors survive worker boundaries and duplicate bundles.
 * `data` holds structured facts for the UI and tests; it must never hold a token or a masked
 * value. The message is a plain sentence that says what to do. Codes are `ErrorCode`s.
 */
import type { ErrorCode } from './error-codes.ts';

export class TabrunnerError<
  Data extends Record<string, unknown> = Record<string, unknown>,
> extends Error {
  readonly code: ErrorCode;
  readonly data: Data;

  constructor(code: ErrorCode, message: string, data: Data, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code;
    this.code = code;
    this.data = data;
  }

  toJSON(): { code: ErrorCode; message: string; data: Data } {
    return { code: this.code, message: this.message, data: this.data };
  }
}

/** Narrowing helper: is `err` a tabrunner error with this code? */
export function hasErrorCode<C extends ErrorCode>(
  err: unknown,
  code: C,
): err is TabrunnerError & { readonly code: C } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
