import { describe, expect, it } from 'vitest';
import type { JobCache } from '../gitlab/index.ts';
import { planCacheArchive, planCacheRestore, type CachePlanInput } from './cache-plan.ts';

const Y = '\x1b[0;33m';
const G = '\x1b[32;1m';
const R = '\x1b[0;m';

function cache(overrides: Partial<JobCache> = {}): JobCache {
  return {
    key: 'npm-protected',
    untracked: false,
    policy: 'pull-push',
    paths: ['.npm/'],
    when: 'on_success',
    fallback_keys: [],
    ...overrides,
  };
}

function input(caches: JobCache[], variables: Record<string, string> = {}): CachePlanInput {
  return {
    caches,
    expand: (value) => value.replace(/\$(\w+)/g, (_, name: string) => variables[name] ?? ''),
    variable: (name) => variables[name],
    jobName: 'build',
    ref: 'main',
  };
}

describe('planCacheRestore', () => {
  it('skips the stage when no entry has paths or untracked', () => {
    expect(planCacheRestore(input([]))).toEqual({ kind: 'skip' });
    expect(planCacheRestore(input([cache({ paths: [] })]))).toEqual({ kind: 'skip' });
  });

  it('restores each entry with its key, its fallback keys, then CACHE_FALLBACK_KEY, in order', () => {
    const plan = planCacheRestore(
      input(
        [
          cache({ key: 'npm-$CI_COMMIT_REF_SLUG', fallback_keys: ['npm-main', '$FB'] }),
          cache({ key: 'other', paths: [], untracked: true }),
        ],
        { CI_COMMIT_REF_SLUG: 'topic', FB: 'npm-any', CACHE_FALLBACK_KEY: 'global' },
      ),
    );
    expect(plan).toEqual({
      kind: 'run',
      steps: [
        { kind: 'restore', keys: ['npm-topic', 'npm-main', 'npm-any', 'global'] },
        { kind: 'restore', keys: ['other', 'global'] },
      ],
    });
  });

  it('uses <job name>/<ref> for an empty key', () => {
    expect(planCacheRestore(input([cache({ key: '' })]))).toEqual({
      kind: 'run',
      steps: [{ kind: 'restore', keys: ['build/main'] }],
    });
  });

  it('warns about a sanitised key and uses the sanitised one', () => {
    expect(planCacheRestore(input([cache({ key: '../npm\\x ' })]))).toEqual({
      kind: 'run',
      steps: [
        { kind: 'text', text: `${Y}cache key "../npm\\\\x " sanitized to "npm/x"${R}\n` },
        { kind: 'restore', keys: ['npm/x'] },
      ],
    });
  });

  it('skips an entry whose key cannot be sanitised, with both of GitLab’s lines', () => {
    expect(planCacheRestore(input([cache({ key: '..' })]))).toEqual({
      kind: 'run',
      steps: [
        { kind: 'text', text: `${Y}cache key ".." could not be sanitized${R}\n` },
        { kind: 'text', text: `${G}Skipping cache extraction due to empty cache key${R}\n` },
      ],
    });
  });

  it('does not sanitise with FF_HASH_CACHE_KEYS', () => {
    expect(
      planCacheRestore(input([cache({ key: '../npm' })], { FF_HASH_CACHE_KEYS: 'true' })),
    ).toEqual({
      kind: 'run',
      steps: [{ kind: 'restore', keys: ['../npm'] }],
    });
  });

  it('never restores a push-only entry, expanding a $VARIABLE policy first', () => {
    expect(planCacheRestore(input([cache({ policy: '$POLICY' })], { POLICY: 'push' }))).toEqual({
      kind: 'run',
      steps: [
        { kind: 'text', text: `${G}Not downloading cache npm-protected due to policy${R}\n` },
      ],
    });
    expect(planCacheRestore(input([cache({ policy: 'pull' })]))).toMatchObject({
      steps: [{ kind: 'restore' }],
    });
    expect(planCacheRestore(input([cache({ policy: '' })]))).toMatchObject({
      steps: [{ kind: 'restore' }],
    });
  });

  it('refuses an unknown policy, printing nothing', () => {
    expect(planCacheRestore(input([cache(), cache({ key: 'b', policy: 'pul' })]))).toEqual({
      kind: 'refused',
      message: 'unknown cache policy pul for b',
    });
  });

  it('refuses a CACHE_FALLBACK_KEY naming a protected cache, trailing dots and spaces ignored', () => {
    for (const value of ['main-protected', 'main-protected. .']) {
      const plan = planCacheRestore(input([cache()], { CACHE_FALLBACK_KEY: value }));
      expect(plan).toMatchObject({ kind: 'run' });
      const steps = plan.kind === 'run' ? plan.steps : [];
      expect(steps.at(-1)).toEqual({ kind: 'restore', keys: ['npm-protected'] });
      expect(steps[0]).toEqual({
        kind: 'text',
        text: `${Y}CACHE_FALLBACK_KEY "${value}" not allowed to end in "-protected"${R}\n`,
      });
    }
    // fallback_keys themselves may name protected caches: GitLab's server suffixed them.
    expect(planCacheRestore(input([cache({ fallback_keys: ['main-protected'] })]))).toMatchObject({
      steps: [{ kind: 'restore', keys: ['npm-protected', 'main-protected'] }],
    });
    expect(
      planCacheRestore(input([cache()], { CACHE_FALLBACK_KEY: 'main-non_protected' })),
    ).toMatchObject({
      steps: [{ kind: 'restore', keys: ['npm-protected', 'main-non_protected'] }],
    });
  });

  it('drops fallback keys that expand to nothing, and skips unsanitisable ones with GitLab’s lines', () => {
    expect(planCacheRestore(input([cache({ fallback_keys: ['$NONE', '..', 'ok'] })]))).toEqual({
      kind: 'run',
      steps: [
        { kind: 'text', text: `${Y}cache key ".." could not be sanitized${R}\n` },
        { kind: 'text', text: `${G}Skipping cache extraction due to empty cache key${R}\n` },
        { kind: 'restore', keys: ['npm-protected', 'ok'] },
      ],
    });
  });
});

describe('planCacheArchive', () => {
  it('archives on success what `when` allows', () => {
    const caches = [
      cache({ key: 'a', when: 'on_success' }),
      cache({ key: 'b', when: 'on_failure' }),
      cache({ key: 'c', when: 'always' }),
      cache({ key: 'd', when: '' }),
    ];
    const keys = (jobSucceeded: boolean) => {
      const plan = planCacheArchive({ ...input(caches), jobSucceeded });
      return plan.kind === 'run'
        ? plan.steps.map((s) => (s.kind === 'archive' ? s.key : s.kind))
        : plan.kind;
    };
    expect(keys(true)).toEqual(['a', 'c', 'd']);
    expect(keys(false)).toEqual(['b', 'c']);
  });

  it('skips the stage when nothing matches the outcome or has paths', () => {
    expect(planCacheArchive({ ...input([cache()]), jobSucceeded: false })).toEqual({
      kind: 'skip',
    });
    expect(planCacheArchive({ ...input([cache({ paths: [] })]), jobSucceeded: true })).toEqual({
      kind: 'skip',
    });
  });

  it('carries paths and untracked, and never saves a pull-only entry', () => {
    const plan = planCacheArchive({
      ...input([
        cache({ key: 'a', paths: ['node_modules/', '.npm/'], untracked: true }),
        cache({ key: 'b', policy: 'pull' }),
      ]),
      jobSucceeded: true,
    });
    expect(plan).toEqual({
      kind: 'run',
      steps: [
        { kind: 'archive', key: 'a', paths: ['node_modules/', '.npm/'], untracked: true },
        { kind: 'text', text: `${G}Not uploading cache b due to policy${R}\n` },
      ],
    });
  });

  it('skips an empty key with GitLab’s archiving line', () => {
    expect(
      planCacheArchive({ ...input([cache({ key: '$EMPTY/..' })]), jobSucceeded: true }),
    ).toEqual({
      kind: 'run',
      steps: [
        { kind: 'text', text: `${Y}cache key "/.." could not be sanitized${R}\n` },
        { kind: 'text', text: `${G}Skipping cache archiving due to empty cache key${R}\n` },
      ],
    });
  });

  it('refuses an unknown policy', () => {
    expect(
      planCacheArchive({ ...input([cache({ policy: 'never' })]), jobSucceeded: true }),
    ).toEqual({
      kind: 'refused',
      message: 'unknown cache policy never for npm-protected',
    });
  });
});
