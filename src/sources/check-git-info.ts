/**
 * What `getSources` refuses before touching the store or the network: a repository in another
 * object format than SHA-1 (the packs, indexes and ids here are SHA-1's), and a commit that is
 * not a full SHA-1 id (tabrunner never runs anything but the exact commit GitLab names).
 */
import type { GitInfo } from './fetch/fetch-plan.ts';
import { SourcesConfigError } from './errors/sources-errors.ts';

/** Throws `SourcesConfigError` unless `gitInfo` names a SHA-1 commit of a SHA-1 repository. */
export function checkGitInfo(gitInfo: GitInfo): void {
  if (gitInfo.repo_object_format && gitInfo.repo_object_format !== 'sha1') {
    throw new SourcesConfigError({
      field: 'git_info.repo_object_format',
      reason: `is ${gitInfo.repo_object_format}; only sha1 repositories are supported`,
    });
  }
  if (!/^[0-9a-f]{40}$/.test(gitInfo.sha)) {
    throw new SourcesConfigError({ field: 'git_info.sha', reason: 'is not a full 40-hex SHA-1' });
  }
}
