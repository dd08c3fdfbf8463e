/**
 * `CI_ENVIRONMENT_SLUG` as GitLab derives it from an environment name
 * (`Gitlab::Slug::Environment`,
 * https://gitlab.com/gitlab-org/gitlab/-/blob/master/lib/gitlab/slug/environment.rb): DNS- and
 * Kubernetes-safe, at most 24 characters, with a suffix from the name's hash whenever slugging
 * changed or shortened the name, so distinct names keep distinct slugs.
 */
import { createHash } from 'node:crypto';

export function environmentSlug(name: string): string {
  let slug = name.toLowerCase().replace(/[^a-z0-9]/g, '-');
  if (!/^[a-z]/.test(slug)) slug = `env-${slug}`;
  slug = slug.replace(/-+/g, '-');
  if (slug.length <= 24 && slug === name) return slug.replace(/-$/, '');
  const head = slug.slice(0, 17);
  return `${head.endsWith('-') ? head : `${head}-`}${nameSuffix(name)}`;
}

/** The last 6 base-36 digits of the name's SHA-256, as GitLab's `suffix`. */
function nameSuffix(name: string): string {
  const digest = BigInt(`0x${createHash('sha256').update(name).digest('hex')}`);
  return digest.toString(36).slice(-6);
}
