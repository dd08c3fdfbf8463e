/**
 * The error a pipeline creation raises for a configuration GitLab would reject, with a message
 * in GitLab's words: most name the config path first (`jobs:build config contains unknown keys:
 * foo`); include errors are GitLab's whole sentence (``Local file `a.yml` does not exist!``).
 */
import { TabrunnerError } from '../../src/errors/index.ts';

export class CiConfigError extends TabrunnerError<{ path: string }> {
  /** `prefixed: false` leaves `path` out of the message (default: the message starts with it). */
  constructor(path: string, message: string, options: { prefixed?: boolean } = {}) {
    super('CiConfigError', options.prefixed === false ? message : `${path} ${message}`, { path });
  }
}
