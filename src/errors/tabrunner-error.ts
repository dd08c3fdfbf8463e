/**
 * The base of every error tabrunner raises on purpose. Callers compare `code`, never
 * `instanceof`, so errors survive worker boundaries and duplicate bundles.
 * `data` holds structured facts for the UI and tests; it must never hold a token or a masked
 * value. The message is a plain sentence that says what to do.
 */
export class TabrunnerError<
  Data extends Record<string, unknown> = Record<string, unknown>,
> extends Error {
  readonly code: string;
  readonly data: Data;

  constructor(code: string, message: string, data: Data, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code;
    this.code = code;
    this.data = data;
  }

  toJSON(): { code: string; message: string; data: Data } {
    return { code: this.code, message: this.message, data: this.data };
  }
}

/** Narrowing helper: is `err` a tabrunner error with this code? */
export function hasErrorCode(err: unknown, code: string): err is TabrunnerError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
