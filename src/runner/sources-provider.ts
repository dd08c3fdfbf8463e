/**
 * Connects the runner to `src/sources`: a job's settings become a fetch of exactly its commit
 * into the project's store. The store and HTTP client differ between Node and the tab; the
 * caller passes them in.
 */
import type { JobPayload } from '../gitlab/job-payload.ts';
import type { JobSettings } from '../job/index.ts';
import type { GetSourcesOptions, SourceStore } from '../sources/index.ts';
import type { SourcesProvider } from './job-run/options.ts';

type HttpClient = GetSourcesOptions['http'];

/**
 * What `getSources` needs from a job, wherever it runs (here, or in the tab's Worker): the
 * fetch settings, the store key and the names the trace shows.
 */
export function sourcesRequest(
  payload: JobPayload,
  settings: JobSettings,
  projectDir: string,
): Pick<GetSourcesOptions, 'gitInfo' | 'settings' | 'projectKey' | 'projectDir'> {
  return {
    gitInfo: payload.git_info,
    settings: {
      strategy: settings.gitStrategy,
      depth: settings.gitDepth,
      checkout: settings.gitCheckout,
      cleanFlags: settings.gitCleanFlags.join(' '),
      submoduleStrategy: settings.gitSubmoduleStrategy,
      lfsSkipSmudge: settings.gitLfsSkipSmudge,
    },
    projectKey: projectKey(payload.git_info.repo_url, payload.job_info.project_id),
    projectDir,
  };
}

export function createSourcesProvider(options: {
  store: SourceStore;
  http: HttpClient;
  corsProxy?: string;
}): SourcesProvider {
  return async ({ payload, settings, projectDir, line, progress, signal }) => {
    // Loaded on first use: the tab fetches in its Worker and imports this module only for
    // `sourcesRequest`, so the git code stays out of the page's first JavaScript.
    const { getSources } = await import('../sources/index.ts');
    const { tree } = await getSources({
      ...sourcesRequest(payload, settings, projectDir),
      store: options.store,
      http: options.http,
      corsProxy: options.corsProxy,
      onLine: (l) => line(l.kind, l.text),
      onProgress: progress,
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
