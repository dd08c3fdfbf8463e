/**
 * Route tables mounted on Hono. A table stays a declarative list (method, path pattern in Hono's
 * syntax where `:name` captures one whole segment, the endpoint name faults attach to, handler),
 * so tests can walk every route. A path that some row knows under another method answers 405,
 * as Grape does; a path no row knows falls through to the app's later handlers.
 */
import type { Context, Env as HonoEnv, Hono } from 'hono';
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

/** How the app answers for a table: a matched row, or a path known only under other methods. */
export interface RouteAnswers<E extends HonoEnv, Env> {
  serve(c: Context<E>, route: Route<Env>): Promise<Response>;
  methodNotAllowed(c: Context<E>): Response;
}

/** Register `routes` on `app`, in table order; the first row that matches serves. */
export function mountRoutes<E extends HonoEnv, Env>(
  app: Hono<E>,
  routes: readonly Route<Env>[],
  answers: RouteAnswers<E, Env>,
): void {
  for (const route of routes) {
    app.on(route.method, route.pattern, async (c, next) => {
      // Hono routes HEAD to GET handlers; the tables name every method they answer.
      if (c.req.method !== route.method) return next();
      return answers.serve(c, route);
    });
  }
  // After every row, so a pattern's 405 never shadows a later row (`/jobs/:id` vs `/jobs/request`).
  for (const pattern of new Set(routes.map((route) => route.pattern))) {
    app.all(pattern, (c) => answers.methodNotAllowed(c));
  }
}
