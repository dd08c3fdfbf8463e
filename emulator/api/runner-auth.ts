/**
 * How GitLab authenticates the runner endpoints (docs/runner-protocol.md §2, §3.2): the runner token comes in the body
 * (`params[:token]`); missing → 400, unknown → 403.
 */
import type { EmulatorContext } from '../context.ts';
import { forbidden, paramError, type Reply } from '../http/reply.ts';
import { stringField, type ParamValue } from '../http/request.ts';
import type { Runner } from '../model.ts';

export function authenticateRunner(
  ctx: EmulatorContext,
  fields: Record<string, ParamValue>,
): { runner: Runner; reply?: never } | { runner?: never; reply: Reply } {
  const token = stringField(fields, 'token');
  if (token === undefined) return { reply: paramError('token is missing') };
  const runner = ctx.state.runnerByToken(token);
  return runner ? { runner } : { reply: forbidden() };
}
