/**
 * The error a pipeline creation raises for a configuration GitLab would reject, with a message
 * in GitLab's words (`jobs:build config contains unknown keys: foo`).
 */
import { TabrunnerError } from '../../src/errors/index.ts';

export class CiConfigError extends TabrunnerError<{ path: string }> {
  constructor(path: string, message: string) {
    super('CiConfigError', `${path} ${message}`, { path });
  }
}
