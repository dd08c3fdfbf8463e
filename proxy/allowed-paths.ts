/**
 * Which upstream paths the relay forwards: the runner API and git fetches, nothing else.
 * Works on the path after URL normalisation (no `.`/`..` left); the adapters refuse encoded
 * and dotted request targets before this runs (raw-target.ts).
 */
import { RelayError } from './relay-error.ts';

/**
 * One GitLab path segment: letters, digits, `_`, `-`, `.`, not starting with `-` or `.`
 * (GitLab's namespace and project path rule). This also rules out `%`, so nothing encoded
 * reaches an upstream, and `.`/`..` segments.
 */
const SEGMENT = '[A-Za-z0-9_][A-Za-z0-9_.-]*';

/**
 * Git paths are `/<namespace…>/<project>/…`; `api` is a reserved top-level namespace in
 * GitLab, so nothing under `/api/` is a repository, and a git rule must not carry an API call
 * (with its PRIVATE-TOKEN) there. Any case, to be safe behind case-folding proxies.
 */
const NOT_API = '(?!/[Aa][Pp][Ii](?:/|$))';

export type RouteKind = 'runner-api' | 'git-info-refs' | 'git-upload-pack';

interface PathRule {
  kind: RouteKind;
  pattern: RegExp;
  methods: readonly string[];
  /** The exact query string the path must carry (`null`: none); `undefined`: any query. */
  query?: string | null;
  /** The request Content-Type must start with this. */
  contentType?: string;
}

/** The policy, in the order it is checked. */
const RULES: readonly PathRule[] = [
  {
    // Runner lifecycle: register, verify, unregister, managers, token reset (GitLab Runner's
    // https://gitlab.com/gitlab-org/gitlab-runner/-/blob/main/network/gitlab.go, as below).
    kind: 'runner-api',
    pattern: new RegExp(`^/api/v4/runners(?:/${SEGMENT})*$`),
    methods: ['GET', 'POST', 'DELETE'],
  },
  {
    // Jobs: request, PUT state, PATCH trace, artifacts (RequestJob, UpdateJob, PatchTrace,
    // UploadRawArtifacts and the artifact download there).
    kind: 'runner-api',
    pattern: new RegExp(`^/api/v4/jobs(?:/${SEGMENT})*$`),
    methods: ['GET', 'POST', 'PUT', 'PATCH'],
  },
  {
    // Smart HTTP discovery (gitprotocol-http "Smart Clients"), fetch side only (docs/relay.md,
    // "What it forwards and what it refuses").
    kind: 'git-info-refs',
    pattern: new RegExp(`^${NOT_API}(?:/${SEGMENT}){2,}/info/refs$`),
    methods: ['GET'],
    query: '?service=git-upload-pack',
  },
  {
    kind: 'git-upload-pack',
    pattern: new RegExp(`^${NOT_API}(?:/${SEGMENT}){2,}/git-upload-pack$`),
    methods: ['POST'],
    query: null,
    contentType: 'application/x-git-upload-pack-request',
  },
];

/** The relay carries fetches only; a push names the receive-pack service (gitprotocol-http). */
const PUSH = /(?:^|\/)git-receive-pack$|[?&]service=git-receive-pack(?:&|$)/;

/**
 * Which kind of upstream path this is, or a RelayError saying why it is refused.
 * `search` is the query string with its `?` (or empty); `contentType` the request header.
 */
export function classifyPath(
  method: string,
  pathname: string,
  search: string,
  contentType: string | null,
): RouteKind {
  if (PUSH.test(pathname) || PUSH.test(search)) {
    throw new RelayError('push_not_allowed', 'The relay forwards git fetches only, never pushes.');
  }
  const matching = RULES.filter((rule) => rule.pattern.test(pathname));
  if (matching.length === 0) {
    throw new RelayError(
      'path_not_allowed',
      'Only runner API paths (/api/v4/runners…, /api/v4/jobs…) and git fetch paths are relayed.',
    );
  }
  const rule = matching.find((r) => r.methods.includes(method));
  if (!rule) {
    throw new RelayError('method_not_allowed', `${method} is not relayed for this path.`);
  }
  if (rule.query !== undefined && search !== (rule.query ?? '')) {
    throw new RelayError('path_not_allowed', 'This git path is relayed only with its fetch query.');
  }
  if (rule.contentType && !(contentType ?? '').toLowerCase().startsWith(rule.contentType)) {
    throw new RelayError('path_not_allowed', `A git fetch must be sent as ${rule.contentType}.`);
  }
  return rule.kind;
}

/** The methods allowed for a path, for `Allow` and preflight answers. */
export function allowedMethods(pathname: string): string[] {
  return [...new Set(RULES.filter((r) => r.pattern.test(pathname)).flatMap((r) => r.methods))];
}
