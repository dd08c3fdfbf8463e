/**
 * Which remote refs to ask for, in order, to obtain exactly `git_info.sha`
 * (docs/runner-protocol.md §4.3, §11), when the server refuses the commit id itself
 * (`fetch-commit.ts` asks for that first). One ref per request instead of GitLab's
 * refspec list: the first candidate that yields the commit wins: the persistent pipeline ref
 * first (it exists even after a branch is deleted), then the other refspec sources, then the
 * job's ref, then the SHA itself.
 */
import type { JobPayload } from '../../gitlab/job-payload.ts';

export type GitInfo = JobPayload['git_info'];

/** Remote refs (full names) or the 40-hex SHA, most specific first, without duplicates. */
export function planFetch(gitInfo: GitInfo): string[] {
  const sources: string[] = [];
  for (const refspec of gitInfo.refspecs) {
    const spec = refspec.trim().replace(/^\+/, '');
    const src = spec.split(':')[0] ?? '';
    if (!src) continue;
    if (src.includes('*')) {
      // `refs/heads/*` with depth 0: only the job's own branch or tag is needed.
      const prefix = src.slice(0, src.indexOf('*'));
      if (gitInfo.ref && !gitInfo.ref.startsWith('refs/')) {
        if (prefix === 'refs/heads/' && gitInfo.ref_type !== 'tag') {
          sources.push(`refs/heads/${gitInfo.ref}`);
        }
        if (prefix === 'refs/tags/' && gitInfo.ref_type === 'tag') {
          sources.push(`refs/tags/${gitInfo.ref}`);
        }
      }
      continue;
    }
    sources.push(src);
  }
  if (gitInfo.ref.startsWith('refs/')) sources.push(gitInfo.ref);
  else if (gitInfo.ref) {
    sources.push(
      gitInfo.ref_type === 'tag' ? `refs/tags/${gitInfo.ref}` : `refs/heads/${gitInfo.ref}`,
    );
  }
  const pipelines = sources.filter((s) => s.startsWith('refs/pipelines/'));
  const rest = sources.filter((s) => !s.startsWith('refs/pipelines/'));
  return [...new Set([...pipelines, ...rest, gitInfo.sha])].filter(Boolean);
}
