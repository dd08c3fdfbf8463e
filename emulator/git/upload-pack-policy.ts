/**
 * Server-side upload-pack policy per project. GitLab serves fetches through Gitaly, which runs
 * upload-pack with `uploadpack.allowAnySHA1InWant=true` and `uploadpack.allowFilter=true`, so a
 * client may ask for any reachable commit by sha, advertised or not. The emulator does the same
 * by default; a test can turn it off per project to prove the runner fetches through refspecs
 * (`refs/pipelines/<id>`, docs/runner-protocol.md §4.3) instead of relying on an unadvertised sha.
 */
import type { EmulatorContext } from '../context.ts';
import type { Project } from '../model.ts';

const refuseUnadvertised = new WeakMap<Project, boolean>();

/** Allow (default) or refuse wants for shas that no advertised ref points to. */
export function setAllowAnyShaInWant(
  ctx: EmulatorContext,
  projectId: number,
  allow: boolean,
): void {
  const project = ctx.state.projects.get(projectId);
  if (!project) throw new Error(`no project ${projectId}`);
  refuseUnadvertised.set(project, !allow);
}

/** `git -c` pairs for `git http-backend` serving this project. */
export function uploadPackConfig(project: Project, canPush: boolean): [string, string][] {
  const anySha = refuseUnadvertised.get(project) ? 'false' : 'true';
  return [
    ['uploadpack.allowAnySHA1InWant', anySha],
    ['uploadpack.allowFilter', 'true'],
    // GitLab keeps these internal refs out of advertisements.
    ['uploadpack.hideRefs', 'refs/keep-around/'],
    ['uploadpack.hideRefs', 'refs/tmp/'],
    ['http.receivepack', canPush ? 'true' : 'false'],
    ['http.uploadpack', 'true'],
  ];
}
