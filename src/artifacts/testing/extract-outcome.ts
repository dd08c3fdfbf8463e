/**
 * Test support: how one extraction into a temp-dir workspace ended, for the suites that feed
 * the extractor damaged and hostile archives. Only the extractor's three refusal codes count
 * as a refusal: any other error (a raw one, or the workspace's own refusal to write outside the
 * project) is rethrown, so it fails the test instead of passing as a refusal.
 */
import { hasErrorCode } from '../../errors/index.ts';
import { extractArtifactArchive, type ExtractLimits } from '../extract.ts';
import type { RawInflater } from '../raw-inflater.ts';
import type { TempDirWorkspace } from './temp-dir-workspace.ts';

export const REFUSAL_CODES = [
  'UnsafeArchiveEntryError',
  'ArchiveLimitError',
  'CorruptArchiveError',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** A coded refusal: the extractor's error code and message. */
export interface ExtractRefusal {
  code: RefusalCode;
  message: string;
}

/** Extract `archive` into `workspace`'s project: null when it was extracted, else the refusal. */
export async function extractOutcome(
  workspace: TempDirWorkspace,
  archive: Uint8Array,
  limits: Partial<ExtractLimits> = {},
  inflater?: RawInflater,
): Promise<ExtractRefusal | null> {
  try {
    await extractArtifactArchive({
      workspace,
      projectDir: workspace.projectDir,
      archive,
      limits,
      inflater,
    });
    return null;
  } catch (error) {
    for (const code of REFUSAL_CODES) {
      if (hasErrorCode(error, code)) return { code, message: error.message };
    }
    throw error;
  }
}
