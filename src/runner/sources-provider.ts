/**
 * Connects the runner to `src/sources`: a job's settings become a fetch of exactly its commit
 * into the project's store. The store and HTTP client differ between Node and the tab; the
 * caller passes them in.
 */
import { getSources, type SourceStore } from '../sources/index.ts';
import type { SourcesProvider } from './run-job.ts';

type HttpClient = Parameters<typeof getSources>[0]['http'];

export function createSourcesProvider(options: {
  store: SourceStore;
  http: HttpClient;
  corsProxy?: string;
}): SourcesProvider {
  return async ({ payload, settings, projectDir, line, signal }) => {
    const { tree } = await getSources({
      gitInfo: payload.git_info,
      settings: {
        strategy: settings.gitStrategy,
        depth: settings.gitDepth,
        checkout: settings.gitCheckout,
        cleanFlags: settings.gitCleanFlags.join(' '),
        submoduleStrategy: settings.gitSubmoduleStrategy,
        lfsSkipSmudge: settings.gitLfsSkipSmudge,
      },
      store: options.store,
      http: options.http,
      corsProxy: options.corsProxy,
      projectKey: projectKey(payload.git_info.repo_url, payload.job_info.project_id),
      projectDir,
      onLine: (l) => line(l.kind, l.text),
      signal,
    });
    return { tree };
  };
}

/** `host/group/project` without credentials: stable across jobs, safe to show. */
function projectKey(repoUrl: string, projectId: number): string {
  try {
    const url = new URL(repoUrl);
    return `${url.host}${url.pathname.replace(/\.git$/, '')}`;
  } catch {
    return `project-${projectId}`;
  }
}
