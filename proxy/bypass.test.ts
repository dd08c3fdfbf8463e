/**
 * The relay bypass suite: 169 fixed request targets that try to reach something other than a
 * configured GitLab's runner API and git fetch paths (traversal, encodings, absolute and
 * authority forms, backslashes, userinfo, odd ports, IP spellings, hosts and paths off the
 * allow-list, API paths dressed as git paths, methods). Each is sent byte for byte to a real
 * relay; each must be refused with its expected status and reason, or (`forwarded`) reach the
 * upstream only as the one allowed path named. Nothing is random: the table is the suite.
 * Also: 6 `Host` header cases (DNS rebinding). 175 cases in all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from './node.ts';
import { errorOf, rawRequest } from './testing/raw-request.ts';
import { startUpstream, type TestUpstream } from './testing/upstream.ts';

const APP_ORIGIN = 'http://app.test';

/** Refused by the relay with this status and reason; `null` reason: node's parser refused it. */
interface Refused {
  status: number;
  error: string | null;
}

/** Relayed, and the upstream received exactly this path and query. */
interface Forwarded {
  forwarded: string;
}

type Expected = Refused | Forwarded;

const BAD_TARGET: Refused = { status: 400, error: 'bad_request_target' };
const NODE_400: Refused = { status: 400, error: null };
const HOST_REFUSED: Refused = { status: 403, error: 'host_not_allowed' };
const PATH_REFUSED: Refused = { status: 403, error: 'path_not_allowed' };
const PUSH_REFUSED: Refused = { status: 403, error: 'push_not_allowed' };
const METHOD_REFUSED: Refused = { status: 405, error: 'method_not_allowed' };
const NOT_RELAYED: Refused = { status: 404, error: 'not_found' };

/**
 * `[name, request line, expected, extra headers]`. In the request line `{H}` is the allowed
 * upstream's `host:port`, `{P}` its port, `{E}` a live server the relay is not configured for.
 */
type Case = [name: string, line: string, expected: Expected, headers?: string];

const TRAVERSAL: readonly Case[] = [
  ['dot-dot out of the API', 'GET /gitlab/{H}/api/v4/jobs/../../../admin HTTP/1.1', BAD_TARGET],
  ['a trailing dot-dot', 'GET /gitlab/{H}/api/v4/jobs/1/.. HTTP/1.1', BAD_TARGET],
  ['a dot segment', 'GET /gitlab/{H}/api/v4/jobs/./1 HTTP/1.1', BAD_TARGET],
  ['dot-dot over the host segment', 'GET /gitlab/{H}/../{H}/api/v4/projects HTTP/1.1', BAD_TARGET],
  ['dot-dot over the prefix', 'GET /gitlab/../gitlab/{H}/api/v4/projects HTTP/1.1', BAD_TARGET],
  ['dot-dot from runners', 'GET /gitlab/{H}/api/v4/runners/../../projects/1 HTTP/1.1', BAD_TARGET],
  [
    'dot-dot from a git path into the API',
    'GET /gitlab/{H}/group/demo.git/../../api/v4/projects/1/info/refs?service=git-upload-pack HTTP/1.1',
    BAD_TARGET,
  ],
  ['a Tomcat-style ..;', 'GET /gitlab/{H}/api/v4/jobs/..;/projects HTTP/1.1', PATH_REFUSED],
  ['three dots', 'GET /gitlab/{H}/api/v4/jobs/.../projects HTTP/1.1', PATH_REFUSED],
  ['a dotfile segment', 'GET /gitlab/{H}/api/v4/jobs/.git/config HTTP/1.1', PATH_REFUSED],
  ['a dot-dot in the prefix alone', 'GET /gitlab/.. HTTP/1.1', BAD_TARGET],
  ['a dot-dot before the query', 'GET /gitlab/{H}/api/v4/jobs/..?x=1 HTTP/1.1', BAD_TARGET],
  ['a dot-dot after a fragment', 'GET /gitlab/{H}/api/v4/jobs/1#/../../admin HTTP/1.1', BAD_TARGET],
];

const ENCODED: readonly Case[] = [
  ['encoded dot-dot', 'GET /gitlab/{H}/api/v4/jobs/%2e%2e/projects HTTP/1.1', BAD_TARGET],
  [
    'upper-case encoded dot-dot',
    'GET /gitlab/{H}/api/v4/jobs/%2E%2E/projects HTTP/1.1',
    BAD_TARGET,
  ],
  ['half-encoded dot-dot', 'GET /gitlab/{H}/api/v4/jobs/.%2e/projects HTTP/1.1', BAD_TARGET],
  ['other half-encoded dot-dot', 'GET /gitlab/{H}/api/v4/jobs/%2e./projects HTTP/1.1', BAD_TARGET],
  ['an encoded slash', 'GET /gitlab/{H}/api/v4/jobs%2f..%2fprojects HTTP/1.1', BAD_TARGET],
  ['an upper-case encoded slash', 'GET /gitlab/{H}/api/v4/jobs%2F1 HTTP/1.1', BAD_TARGET],
  ['an encoded backslash', 'GET /gitlab/{H}/api/v4/jobs%5c..%5cprojects HTTP/1.1', BAD_TARGET],
  ['an encoded NUL', 'GET /gitlab/{H}/api/v4/jobs/1%00 HTTP/1.1', BAD_TARGET],
  [
    'double-encoded dot-dot',
    'GET /gitlab/{H}/api/v4/jobs/%252e%252e/projects HTTP/1.1',
    BAD_TARGET,
  ],
  ['a double-encoded slash', 'GET /gitlab/{H}/api/v4/jobs%252f1 HTTP/1.1', BAD_TARGET],
  ['triple encoding', 'GET /gitlab/{H}/api/v4/jobs/%25252e%25252e/x HTTP/1.1', BAD_TARGET],
  ['%% then an encoded dot', 'GET /gitlab/{H}/api/v4/jobs/%%32%65%%32%65/x HTTP/1.1', PATH_REFUSED],
  ['overlong UTF-8 dots', 'GET /gitlab/{H}/api/v4/jobs/%c0%ae%c0%ae/x HTTP/1.1', PATH_REFUSED],
  ['%u escapes', 'GET /gitlab/{H}/api/v4/jobs/%u002e%u002e/x HTTP/1.1', PATH_REFUSED],
  ['an encoded digit', 'GET /gitlab/{H}/api/v4/jobs/%31 HTTP/1.1', PATH_REFUSED],
  ['an encoded letter in the API prefix', 'GET /gitlab/{H}/%61pi/v4/jobs/1 HTTP/1.1', PATH_REFUSED],
  ['an encoded slash after the host', 'GET /gitlab/{H}%2fapi/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  [
    'an encoded colon in the host',
    'GET /gitlab/127.0.0.1%3a{P}/api/v4/jobs/1 HTTP/1.1',
    HOST_REFUSED,
  ],
  ['an encoded slash in the prefix', 'GET /gitlab%2f{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['an encoded prefix', 'GET /%67itlab/{H}/api/v4/jobs/1 HTTP/1.1', NOT_RELAYED],
  ['an encoded question mark', 'GET /gitlab/{H}/api/v4/jobs/1%3f/projects HTTP/1.1', PATH_REFUSED],
  ['an encoded hash', 'GET /gitlab/{H}/api/v4/jobs/1%23/projects HTTP/1.1', PATH_REFUSED],
  ['encoded whitespace', 'GET /gitlab/{H}/api/v4/jobs/1%20 HTTP/1.1', PATH_REFUSED],
  ['an encoded CRLF', 'GET /gitlab/{H}/api/v4/jobs/1%0d%0aX-Injected:%201 HTTP/1.1', PATH_REFUSED],
  ['UTF-8 in the path', 'GET /gitlab/{H}/api/v4/jobs/%e2%80%ae1 HTTP/1.1', PATH_REFUSED],
  ['an encoded git path', 'GET /gitlab/{H}/group/demo.git/info%2frefs HTTP/1.1', BAD_TARGET],
];

const FORMS: readonly Case[] = [
  ['an absolute URL', 'GET http://{H}/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['an absolute https URL', 'GET https://{H}/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  [
    'an absolute URL elsewhere',
    'GET http://evil.example/gitlab/{H}/api/v4/jobs/1 HTTP/1.1',
    BAD_TARGET,
  ],
  ['an absolute URL to the upstream', 'GET http://{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['an upper-case scheme', 'GET HTTP://{H}/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['an ftp URL', 'GET ftp://{H}/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['a network-path reference', 'GET //evil.example/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['a network-path to the upstream', 'GET //{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['an authority-form CONNECT', 'CONNECT {H} HTTP/1.1', BAD_TARGET],
  ['a CONNECT elsewhere', 'CONNECT evil.example:443 HTTP/1.1', BAD_TARGET],
  ['a CONNECT to the evil server', 'CONNECT {E} HTTP/1.1', BAD_TARGET],
  ['an asterisk-form OPTIONS', 'OPTIONS * HTTP/1.1', BAD_TARGET],
  ['a target without a slash', 'GET gitlab/{H}/api/v4/jobs/1 HTTP/1.1', NODE_400],
  ['a scheme without slashes', 'GET http:/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', NODE_400],
  ['a raw space in the target', 'GET /gitlab/{H}/api/v4/jobs/1 x HTTP/1.1', NODE_400],
  ['a raw tab in the target', 'GET /gitlab/{H}/api/v4/jobs/1\tx HTTP/1.1', NODE_400],
];

const BACKSLASHES: readonly Case[] = [
  ['backslash traversal', 'GET /gitlab/{H}/api/v4/jobs\\..\\..\\projects HTTP/1.1', BAD_TARGET],
  ['a backslash after the prefix', 'GET /gitlab\\{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['a backslash after the host', 'GET /gitlab/{H}\\api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['a leading backslash', 'GET /\\evil.example/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['a trailing backslash', 'GET /gitlab/{H}/api/v4/jobs/1\\ HTTP/1.1', BAD_TARGET],
];

const EMPTY_SEGMENTS: readonly Case[] = [
  ['an empty host segment', 'GET /gitlab//{H}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['an empty segment after the host', 'GET /gitlab/{H}//api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['an empty segment in the API', 'GET /gitlab/{H}/api/v4//jobs/1 HTTP/1.1', BAD_TARGET],
  ['a trailing slash', 'GET /gitlab/{H}/api/v4/jobs/1/ HTTP/1.1', PATH_REFUSED],
  ['the prefix with a slash and nothing else', 'GET /gitlab/ HTTP/1.1', HOST_REFUSED],
  ['the bare prefix', 'GET /gitlab HTTP/1.1', HOST_REFUSED],
  ['a host and nothing else', 'GET /gitlab/{H} HTTP/1.1', PATH_REFUSED],
  ['a host and a slash', 'GET /gitlab/{H}/ HTTP/1.1', PATH_REFUSED],
];

const USERINFO: readonly Case[] = [
  [
    'userinfo naming evil, then the host',
    'GET /gitlab/evil.example@{H}/api/v4/jobs/1 HTTP/1.1',
    HOST_REFUSED,
  ],
  [
    'the host as userinfo for evil',
    'GET /gitlab/{H}@evil.example/api/v4/jobs/1 HTTP/1.1',
    HOST_REFUSED,
  ],
  ['user and password', 'GET /gitlab/user:pass@{H}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  [
    'an empty password for evil',
    'GET /gitlab/{H}:@evil.example/api/v4/jobs/1 HTTP/1.1',
    HOST_REFUSED,
  ],
  ['an empty user', 'GET /gitlab/@{H}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['an encoded @', 'GET /gitlab/{H}%40evil.example/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  [
    'git credentials in the host segment',
    'GET /gitlab/gitlab-ci-token:x@{H}/group/demo.git/info/refs?service=git-upload-pack HTTP/1.1',
    HOST_REFUSED,
  ],
  ['two @', 'GET /gitlab/a@b@{H}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['userinfo in the path', 'GET /gitlab/{H}/api/v4/jobs/user@evil.example HTTP/1.1', PATH_REFUSED],
];

const PORTS: readonly Case[] = [
  ['port 0', 'GET /gitlab/127.0.0.1:0/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['port 65536', 'GET /gitlab/127.0.0.1:65536/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['an extra digit', 'GET /gitlab/127.0.0.1:{P}0/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a leading zero', 'GET /gitlab/127.0.0.1:0{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a plus sign', 'GET /gitlab/127.0.0.1:+{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['an empty port', 'GET /gitlab/127.0.0.1:/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['no port', 'GET /gitlab/127.0.0.1/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['port 80', 'GET /gitlab/127.0.0.1:80/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['port 443', 'GET /gitlab/127.0.0.1:443/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['two ports', 'GET /gitlab/127.0.0.1:{P}:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a negative port', 'GET /gitlab/127.0.0.1:-1/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['the evil server', 'GET /gitlab/{E}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ["the relay's own port", 'GET /gitlab/{R}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
];

const IP_SPELLINGS: readonly Case[] = [
  ['IPv6 loopback', 'GET /gitlab/[::1]:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['IPv4-mapped IPv6', 'GET /gitlab/[::ffff:127.0.0.1]:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['hex IPv4-mapped IPv6', 'GET /gitlab/[::ffff:7f00:1]:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['long IPv6 loopback', 'GET /gitlab/[0:0:0:0:0:0:0:1]:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a zone id', 'GET /gitlab/[fe80::1%25lo]:{P}/api/v4/jobs/1 HTTP/1.1', BAD_TARGET],
  ['a decimal IP', 'GET /gitlab/2130706433:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a hex IP', 'GET /gitlab/0x7f000001:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['an octal IP', 'GET /gitlab/0177.0.0.1:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a short IP', 'GET /gitlab/127.1:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['zero-padded octets', 'GET /gitlab/127.000.000.001:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a trailing dot', 'GET /gitlab/127.0.0.1.:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['localhost', 'GET /gitlab/localhost:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['upper-case localhost', 'GET /gitlab/LOCALHOST:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['the unspecified address', 'GET /gitlab/0.0.0.0:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['the metadata address', 'GET /gitlab/169.254.169.254/latest/meta-data HTTP/1.1', HOST_REFUSED],
  ['another loopback address', 'GET /gitlab/127.0.0.2:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
];

const HOSTS: readonly Case[] = [
  ['gitlab.com', 'GET /gitlab/gitlab.com/api/v4/jobs/request HTTP/1.1', HOST_REFUSED],
  ['an evil host', 'GET /gitlab/evil.example/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a subdomain of the host', 'GET /gitlab/{H}.evil.example/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['the host as a subdomain', 'GET /gitlab/evil.{H}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a query after the host', 'GET /gitlab/evil.example?/{H}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['an encoded host', 'GET /gitlab/%31%32%37.0.0.1:{P}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  [
    'a semicolon after the host',
    'GET /gitlab/{H};evil.example/api/v4/jobs/1 HTTP/1.1',
    HOST_REFUSED,
  ],
  ['a comma list of hosts', 'GET /gitlab/{H},evil.example/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a scheme in the host segment', 'GET /gitlab/http:/{H}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['a doubled prefix', 'GET /gitlab/gitlab/{H}/api/v4/jobs/1 HTTP/1.1', HOST_REFUSED],
  ['an upper-case prefix', 'GET /GITLAB/{H}/api/v4/jobs/1 HTTP/1.1', NOT_RELAYED],
  ['the upstream path without the prefix', 'GET /api/v4/jobs/1 HTTP/1.1', NOT_RELAYED],
];

const PATHS: readonly Case[] = [
  ['the projects API', 'GET /gitlab/{H}/api/v4/projects HTTP/1.1', PATH_REFUSED],
  ['the user API', 'GET /gitlab/{H}/api/v4/user HTTP/1.1', PATH_REFUSED],
  ['a look-alike runners path', 'GET /gitlab/{H}/api/v4/runnersX HTTP/1.1', PATH_REFUSED],
  ['a look-alike jobs path', 'GET /gitlab/{H}/api/v4/jobsX/1 HTTP/1.1', PATH_REFUSED],
  ['API v3', 'GET /gitlab/{H}/api/v3/jobs/1 HTTP/1.1', PATH_REFUSED],
  ['API v5', 'GET /gitlab/{H}/api/v5/jobs/1 HTTP/1.1', PATH_REFUSED],
  ['an upper-case API', 'GET /gitlab/{H}/API/v4/jobs/1 HTTP/1.1', PATH_REFUSED],
  ['GraphQL', 'POST /gitlab/{H}/api/graphql HTTP/1.1', PATH_REFUSED, 'Content-Length: 0'],
  ['the admin area', 'GET /gitlab/{H}/admin HTTP/1.1', PATH_REFUSED],
  ['the sign-in page', 'GET /gitlab/{H}/users/sign_in HTTP/1.1', PATH_REFUSED],
  ['the profile', 'GET /gitlab/{H}/-/profile HTTP/1.1', PATH_REFUSED],
  ['OAuth', 'POST /gitlab/{H}/oauth/token HTTP/1.1', PATH_REFUSED, 'Content-Length: 0'],
  ['a raw file', 'GET /gitlab/{H}/group/demo/-/raw/main/secret HTTP/1.1', PATH_REFUSED],
  ['dumb-HTTP HEAD', 'GET /gitlab/{H}/group/demo.git/HEAD HTTP/1.1', PATH_REFUSED],
  ['dumb-HTTP packs', 'GET /gitlab/{H}/group/demo.git/objects/info/packs HTTP/1.1', PATH_REFUSED],
  [
    'LFS batch',
    'POST /gitlab/{H}/group/demo.git/info/lfs/objects/batch HTTP/1.1',
    PATH_REFUSED,
    'Content-Length: 0',
  ],
  [
    'a one-segment git path',
    'GET /gitlab/{H}/demo.git/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  ['info/refs without a query', 'GET /gitlab/{H}/group/demo.git/info/refs HTTP/1.1', PATH_REFUSED],
  [
    'info/refs with a second service',
    'GET /gitlab/{H}/group/demo.git/info/refs?service=git-upload-pack&service=git-receive-pack HTTP/1.1',
    PUSH_REFUSED,
  ],
  [
    'info/refs with an encoded second service',
    'GET /gitlab/{H}/group/demo.git/info/refs?service=git-upload-pack%26service=git-receive-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'info/refs with an upper-case query name',
    'GET /gitlab/{H}/group/demo.git/info/refs?SERVICE=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'push discovery',
    'GET /gitlab/{H}/group/demo.git/info/refs?service=git-receive-pack HTTP/1.1',
    PUSH_REFUSED,
  ],
  [
    'a push',
    'POST /gitlab/{H}/group/demo.git/git-receive-pack HTTP/1.1',
    PUSH_REFUSED,
    'Content-Type: application/x-git-receive-pack-request\r\nContent-Length: 0',
  ],
  [
    'upload-pack with a push query',
    'POST /gitlab/{H}/group/demo.git/git-upload-pack?service=git-receive-pack HTTP/1.1',
    PUSH_REFUSED,
    'Content-Type: application/x-git-upload-pack-request\r\nContent-Length: 0',
  ],
  [
    'upload-pack that is not a git request',
    'POST /gitlab/{H}/group/demo.git/git-upload-pack HTTP/1.1',
    PATH_REFUSED,
    'Content-Type: text/html\r\nContent-Length: 0',
  ],
];

const API_AS_GIT: readonly Case[] = [
  [
    'a package path as info/refs',
    'GET /gitlab/{H}/api/v4/projects/7/packages/generic/pkg/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
    'PRIVATE-TOKEN: glpat-NeverForwarded01',
  ],
  [
    'a project as upload-pack',
    'POST /gitlab/{H}/api/v4/projects/7/git-upload-pack HTTP/1.1',
    PATH_REFUSED,
    'Content-Type: application/x-git-upload-pack-request\r\nContent-Length: 0',
  ],
  [
    'repository files as info/refs',
    'GET /gitlab/{H}/api/v4/projects/7/repository/files/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'an upper-case API as info/refs',
    'GET /gitlab/{H}/API/v4/projects/7/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'a mixed-case API as upload-pack',
    'POST /gitlab/{H}/Api/v4/user/git-upload-pack HTTP/1.1',
    PATH_REFUSED,
    'Content-Type: application/x-git-upload-pack-request\r\nContent-Length: 0',
  ],
  [
    'the user API as info/refs',
    'GET /gitlab/{H}/api/v4/user/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'the groups API as info/refs',
    'GET /gitlab/{H}/api/v4/groups/1/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'npm packages as info/refs',
    'GET /gitlab/{H}/api/v4/projects/7/packages/npm/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'the API root as info/refs',
    'GET /gitlab/{H}/api/v4/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
  [
    'an encoded project path',
    'GET /gitlab/{H}/api/v4/projects/group%2Fdemo/info/refs?service=git-upload-pack HTTP/1.1',
    BAD_TARGET,
  ],
  [
    'the API as a namespace',
    'GET /gitlab/{H}/api/demo.git/info/refs?service=git-upload-pack HTTP/1.1',
    PATH_REFUSED,
  ],
];

const METHODS: readonly Case[] = [
  ['TRACE', 'TRACE /gitlab/{H}/api/v4/jobs/1 HTTP/1.1', METHOD_REFUSED],
  ['DELETE on a job', 'DELETE /gitlab/{H}/api/v4/jobs/1 HTTP/1.1', METHOD_REFUSED],
  [
    'PUT on info/refs',
    'PUT /gitlab/{H}/group/demo.git/info/refs?service=git-upload-pack HTTP/1.1',
    METHOD_REFUSED,
    'Content-Length: 0',
  ],
  ['GET on upload-pack', 'GET /gitlab/{H}/group/demo.git/git-upload-pack HTTP/1.1', METHOD_REFUSED],
  ['OPTIONS that is no preflight', 'OPTIONS /gitlab/{H}/api/v4/jobs/1 HTTP/1.1', METHOD_REFUSED],
  // A HEAD answer has no body to carry the reason.
  ['HEAD on a job', 'HEAD /gitlab/{H}/api/v4/jobs/1 HTTP/1.1', { status: 405, error: null }],
  [
    'PATCH on runners',
    'PATCH /gitlab/{H}/api/v4/runners/1 HTTP/1.1',
    METHOD_REFUSED,
    'Content-Length: 0',
  ],
  [
    'a preflight for DELETE on a job',
    'OPTIONS /gitlab/{H}/api/v4/jobs/1 HTTP/1.1',
    METHOD_REFUSED,
    `Origin: ${APP_ORIGIN}\r\nAccess-Control-Request-Method: DELETE`,
  ],
  [
    'a preflight for another path',
    'OPTIONS /gitlab/{H}/api/v4/projects HTTP/1.1',
    PATH_REFUSED,
    `Origin: ${APP_ORIGIN}\r\nAccess-Control-Request-Method: GET`,
  ],
];

const SAFE: readonly Case[] = [
  [
    'dot-dot in the query',
    'GET /gitlab/{H}/api/v4/jobs/1?/../../admin HTTP/1.1',
    { forwarded: '/api/v4/jobs/1?/../../admin' },
  ],
  [
    'encodings in the query',
    'GET /gitlab/{H}/api/v4/jobs/1?x=%2e%2e%2f%2e%2e HTTP/1.1',
    { forwarded: '/api/v4/jobs/1?x=%2e%2e%2f%2e%2e' },
  ],
  [
    'an absolute URL in the query',
    'GET /gitlab/{H}/api/v4/jobs/1?next=http://evil.example/ HTTP/1.1',
    { forwarded: '/api/v4/jobs/1?next=http://evil.example/' },
  ],
  [
    'userinfo in the query',
    'GET /gitlab/{H}/api/v4/jobs/1?x=user@evil.example HTTP/1.1',
    { forwarded: '/api/v4/jobs/1?x=user@evil.example' },
  ],
  [
    'a git fetch',
    'GET /gitlab/{H}/group/demo.git/info/refs?service=git-upload-pack HTTP/1.1',
    { forwarded: '/group/demo.git/info/refs?service=git-upload-pack' },
  ],
  [
    'a jobs path that ends like git',
    'GET /gitlab/{H}/api/v4/jobs/1/info/refs HTTP/1.1',
    { forwarded: '/api/v4/jobs/1/info/refs' },
  ],
];

const CASES: readonly Case[] = [
  ...TRAVERSAL,
  ...ENCODED,
  ...FORMS,
  ...BACKSLASHES,
  ...EMPTY_SEGMENTS,
  ...USERINFO,
  ...PORTS,
  ...IP_SPELLINGS,
  ...HOSTS,
  ...PATHS,
  ...API_AS_GIT,
  ...METHODS,
  ...SAFE,
];

let upstream: TestUpstream;
let evil: TestUpstream;
let relay: RunningRelay;
let relayHost: string;

beforeAll(async () => {
  upstream = await startUpstream();
  evil = await startUpstream();
  relay = await startRelay({
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    origins: [APP_ORIGIN],
    log: () => undefined,
  });
  relayHost = new URL(relay.url).host;
});

afterAll(async () => {
  await relay?.close();
  await upstream?.close();
  await evil?.close();
});

function fill(text: string): string {
  return text
    .replaceAll('{H}', upstream.host)
    .replaceAll('{P}', new URL(upstream.url).port)
    .replaceAll('{E}', evil.host)
    .replaceAll('{R}', relayHost);
}

describe('relay bypass attempts', () => {
  it('holds the number of cases its header states', () => {
    expect(CASES).toHaveLength(169);
  });

  it.each(CASES)('%s', async (_name, line, expected, headers) => {
    const target = fill(line);
    const before = upstream.received.length;
    const extra = headers === undefined ? '' : `\r\n${headers}`;
    const response = await rawRequest(relay.url, `${target}\r\nHost: ${relayHost}${extra}`);
    if ('forwarded' in expected) {
      expect(response.status).toBe(200);
      expect(upstream.received.length).toBe(before + 1);
      expect(upstream.received.at(-1)?.url).toBe(expected.forwarded);
      return;
    }
    expect(response.status).toBe(expected.status);
    expect(errorOf(response)).toBe(expected.error);
    expect(upstream.received.length).toBe(before);
    expect(response.text.toLowerCase()).not.toContain('\r\nlocation:');
    if (expected.error === 'bad_request_target') {
      // Refused on the socket before the handler, yet sandboxed like every answer it makes.
      const head = response.text.slice(0, response.text.indexOf('\r\n\r\n')).toLowerCase();
      expect(head).toContain("\r\ncontent-security-policy: sandbox; default-src 'none'");
      expect(head).toContain('\r\nx-content-type-options: nosniff');
      expect(head).toContain('\r\ncross-origin-resource-policy: same-origin');
    }
  });
});

describe('Host header bypass attempts (DNS rebinding)', () => {
  it.each([
    ['a rebound name', 'attacker.example:{RP}'],
    ['a rebound name without a port', 'attacker.example'],
    ['the upstream as Host', '{H}'],
    ['the evil server as Host', '{E}'],
    ['a name that ends in the relay address', 'attacker.example.{R}'],
    ['a private address on the relay port', '10.0.0.1:{RP}'],
  ])('refuses %s before the upstream', async (_name, host) => {
    const before = upstream.received.length;
    const filled = fill(host).replaceAll('{RP}', new URL(relay.url).port);
    const response = await rawRequest(
      relay.url,
      `GET /gitlab/${upstream.host}/api/v4/jobs/1 HTTP/1.1\r\nHost: ${filled}\r\nOrigin: http://${filled}`,
    );
    expect(response.status).toBe(421);
    expect(errorOf(response)).toBe('relay_host_not_allowed');
    expect(response.text.toLowerCase()).not.toContain('access-control-allow-origin');
    expect(upstream.received.length).toBe(before);
  });
});

describe('after every attempt', () => {
  it('never reached the server the relay does not know', () => {
    expect(evil.received).toEqual([]);
    expect(evil.bytesIn).toBe(0);
  });
});
