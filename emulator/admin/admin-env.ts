/** What admin-API handlers receive: the emulator's state and its test controls. */
import type { EmulatorContext } from '../context.ts';
import type { Faults } from '../faults.ts';
import type { RequestLog } from '../http/request-log.ts';
import type { Route } from '../http/router.ts';

export interface AdminEnv {
  ctx: EmulatorContext;
  faults: Faults;
  requests: RequestLog;
}

export type AdminRoute = Route<AdminEnv>;
