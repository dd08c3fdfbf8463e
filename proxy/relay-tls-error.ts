/**
 * Why the relay cannot serve HTTPS with the certificate and key it was given. Raised before the
 * server binds; messages name the flag and what is wrong, never the PEM text.
 */
import { TabrunnerError } from '../src/errors/index.ts';

/** Which part is wrong: the certificate, the key, or the two together. */
export type RelayTlsPart = 'cert' | 'key' | 'pair';

export interface RelayTlsErrorData extends Record<string, unknown> {
  part: RelayTlsPart;
}

export class RelayTlsError extends TabrunnerError<RelayTlsErrorData> {
  static readonly code = 'RelayTlsError';

  constructor(part: RelayTlsPart, message: string, options?: { cause?: unknown }) {
    super(RelayTlsError.code, message, { part }, options);
  }

  get part(): RelayTlsPart {
    return this.data.part;
  }
}
