import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { environmentSlug } from './environment-slug.ts';

/** GitLab's suffix: the last 6 base-36 digits of the name's SHA-256. */
const suffix = (name: string) =>
  BigInt(`0x${createHash('sha256').update(name).digest('hex')}`)
    .toString(36)
    .slice(-6);

describe('environmentSlug', () => {
  // The cases of GitLab's spec/lib/gitlab/slug/environment_spec.rb.
  it.each([
    ['staging-12345678901234567', 'staging-123456789-'],
    ['9-staging-123456789012345', 'env-9-staging-123-'],
    ['staging-1234567890123456-', 'staging-123456789-'],
    ['PRODUCTION', 'production-'],
    ['review/1-foo', 'review-1-foo-'],
    ['1/foo', 'env-1-foo-'],
    ['foo--bar', 'foo-bar-'],
    ['*-foo', 'env-foo-'],
    ['staging-12345678-01234567', 'staging-12345678-'],
    ['', 'env-'],
  ])('slugs %j with a hash suffix', (name, head) => {
    expect(environmentSlug(name)).toBe(`${head}${suffix(name)}`);
  });

  it.each([
    ['production', 'production'],
    ['staging-1234567890123456', 'staging-1234567890123456'],
    ['foo-', 'foo'],
    ['staging-12345678-', 'staging-12345678'],
  ])('keeps %j without a suffix when slugging changed nothing', (name, slug) => {
    expect(environmentSlug(name)).toBe(slug);
  });

  it('gives a known suffix for a known name', () => {
    expect(environmentSlug('review/1-foo')).toBe('review-1-foo-9tdj0u');
  });
});
