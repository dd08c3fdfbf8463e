/**
 * Splits GitLab's credentialed `repo_url` (docs/runner-protocol.md §4.3) into a credential-free
 * URL, which is all that is ever stored or printed, and the Basic credentials, which only travel
 * in the `Authorization` header.
 */
import { SourcesConfigError } from '../../errors/sources-errors.ts';

/** A remote with its credentials held apart. `toString`/`toJSON` never show the password. */
export interface RepoRemote {
  /** `http(s)://host[:port]/group/project.git`, no user info. */
  url: string;
  /** `gitlab-ci-token` for GitLab jobs; empty when the URL carries none. */
  username: string;
  /** Request headers carrying the credentials (empty object when there are none). */
  headers(): Record<string, string>;
  /** Replace every occurrence of the secret in `text` with `[MASKED]`. */
  redact(text: string): string;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Parse `repo_url`. Throws `SourcesConfigError` for anything but http(s) URLs. */
export function parseRepoUrl(repoUrl: string): RepoRemote {
  let parsed: URL;
  try {
    parsed = new URL(repoUrl);
  } catch {
    throw new SourcesConfigError({ field: 'git_info.repo_url', reason: 'is not a URL' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SourcesConfigError({
      field: 'git_info.repo_url',
      reason: `uses ${parsed.protocol} (only http and https are supported)`,
    });
  }
  const username = decodeURIComponent(parsed.username);
  const rawPassword = parsed.password;
  const password = decodeURIComponent(rawPassword);
  parsed.username = '';
  parsed.password = '';
  const url = parsed.toString();
  const secrets = [password, rawPassword].filter((s) => s.length >= 4);
  const remote: RepoRemote = {
    url,
    username,
    headers: (): Record<string, string> =>
      username || password ? { Authorization: `Basic ${base64(`${username}:${password}`)}` } : {},
    redact: (text) => {
      let out = text;
      for (const s of [...secrets, password ? base64(`${username}:${password}`) : '']) {
        if (s) out = out.split(s).join('[MASKED]');
      }
      return out;
    },
  };
  Object.defineProperty(remote, 'toJSON', { value: () => ({ url, username }) });
  return remote;
}
