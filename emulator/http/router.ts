/**
 * A small route table: method + path pattern (`/api/v4/jobs/:id/trace`) → handler. Patterns
 * match whole segments; `:name` captures one segment. No regex routes, no wildcards.
 */
import type { FaultEndpoint } from '../faults.ts';
import type { Reply } from './reply.ts';
import type { EmulatorRequest } from './request.ts';

/** One row of a route table. `endpoint` names the route for fault injection. */
export interface Route<Env> {
  method: string;
  pattern: string;
  endpoint?: FaultEndpoint;
  handle(env: Env, req: EmulatorRequest): Promise<Reply>;
}

/** The matching route and its path parameters, or null. */
export function matchRoute<Env>(
  routes: readonly Route<Env>[],
  method: string,
  path: string,
): { route: Route<Env>; params: Record<string, string> } | null {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchPattern(route.pattern, segments);
    if (params) return { route, params };
  }
  return null;
}

/** Whether any route has this path under another method (405 instead of 404). */
export function pathKnown<Env>(routes: readonly Route<Env>[], path: string): boolean {
  const segments = path.split('/');
  return routes.some((route) => matchPattern(route.pattern, segments) !== null);
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return null;
      // The server refused paths that do not decode (server.ts) before routing.
      params[part.slice(1)] = decodeURIComponent(segment);
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}
