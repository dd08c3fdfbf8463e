/** What runner-API handlers receive besides the request. */
import type { EmulatorContext } from '../context.ts';
import type { Route } from '../http/router.ts';

export interface ApiEnv {
  ctx: EmulatorContext;
}

export type ApiRoute = Route<ApiEnv>;
