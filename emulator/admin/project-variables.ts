/**
 * Project CI/CD variables on the admin API, in the shape of GitLab's project-level variables API
 * (`/projects/:id/variables`): list, create, update and delete by key, with GitLab's answers for a
 * bad key, a taken key and a value that cannot be masked. `protected` and environment scopes
 * are refused by name: the emulator has no protected branches or environments to scope them to.
 */
import type { JobVariableSpec, Project } from '../model.ts';
import { empty, json, notFound, paramError, type Reply } from '../http/reply.ts';
import {
  booleanField,
  stringField,
  type EmulatorRequest,
  type ParamValue,
} from '../http/request.ts';
import type { AdminEnv, AdminRoute } from './admin-env.ts';

/** GitLab's `Ci::HasVariable` key rule. */
const KEY = /^[A-Za-z0-9_]{1,255}$/;
/** GitLab's rule for a maskable value: at least 8 characters, one line, no spaces. */
const MASKABLE = /^\S{8,}$/;

function variableView(v: JobVariableSpec): Record<string, unknown> {
  return {
    variable_type: v.file ? 'file' : 'env_var',
    key: v.key,
    value: v.value,
    protected: false,
    masked: v.masked === true,
    raw: v.raw === true,
    environment_scope: '*',
  };
}

function invalid(field: string, problem: string): Reply {
  return json(400, { message: { [field]: [problem] } });
}

/** The variable the fields describe, over `base` for an update, or GitLab's 400. */
function readVariable(
  fields: Record<string, ParamValue>,
  base: JobVariableSpec,
): JobVariableSpec | Reply {
  const type = stringField(fields, 'variable_type');
  if (type !== undefined && type !== 'env_var' && type !== 'file')
    return paramError('variable_type does not have a valid value');
  if (booleanField(fields, 'protected') === true)
    return invalid('protected', 'is not supported by the emulator (it has no protected branches)');
  const scope = stringField(fields, 'environment_scope');
  if (scope !== undefined && scope !== '*')
    return invalid('environment_scope', 'is not supported by the emulator: only * is');
  const variable: JobVariableSpec = {
    ...base,
    value: stringField(fields, 'value') ?? base.value,
    public: false,
    file: type === undefined ? base.file === true : type === 'file',
    masked: booleanField(fields, 'masked') ?? base.masked === true,
    raw: booleanField(fields, 'raw') ?? base.raw === true,
  };
  if (variable.masked && !MASKABLE.test(variable.value)) return invalid('value', 'is invalid');
  return variable;
}

async function withProject(
  env: AdminEnv,
  req: EmulatorRequest,
  handle: (project: Project, fields: Record<string, ParamValue>) => Reply,
): Promise<Reply> {
  const project = env.ctx.state.projects.get(Number(req.params['id']));
  if (!project) return notFound('Project Not Found');
  return handle(project, req.method === 'GET' || req.method === 'DELETE' ? {} : await req.fields());
}

function isReply(value: JobVariableSpec | Reply): value is Reply {
  return 'status' in value;
}

export const PROJECT_VARIABLE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    pattern: '/admin/api/projects/:id/variables',
    handle: (env, req) =>
      withProject(env, req, (project) => json(200, project.variables.map(variableView))),
  },
  {
    method: 'POST',
    pattern: '/admin/api/projects/:id/variables',
    handle: (env, req) =>
      withProject(env, req, (project, fields) => {
        const key = stringField(fields, 'key');
        if (key === undefined) return paramError('key is missing');
        if (stringField(fields, 'value') === undefined) return paramError('value is missing');
        if (!KEY.test(key))
          return invalid(
            'key',
            "is too long (maximum is 255 characters) or contains characters other than letters, digits and '_'",
          );
        if (project.variables.some((v) => v.key === key))
          return invalid('key', `(${key}) has already been taken`);
        const variable = readVariable(fields, { key, value: '' });
        if (isReply(variable)) return variable;
        project.variables.push(variable);
        return json(201, variableView(variable));
      }),
  },
  {
    method: 'PUT',
    pattern: '/admin/api/projects/:id/variables/:key',
    handle: (env, req) =>
      withProject(env, req, (project, fields) => {
        const at = project.variables.findIndex((v) => v.key === req.params['key']);
        const current = project.variables[at];
        if (!current) return notFound('Variable Not Found');
        const variable = readVariable(fields, current);
        if (isReply(variable)) return variable;
        project.variables[at] = variable;
        return json(200, variableView(variable));
      }),
  },
  {
    method: 'DELETE',
    pattern: '/admin/api/projects/:id/variables/:key',
    handle: (env, req) =>
      withProject(env, req, (project) => {
        const at = project.variables.findIndex((v) => v.key === req.params['key']);
        if (at < 0) return notFound('Variable Not Found');
        project.variables.splice(at, 1);
        return empty(204);
      }),
  },
];
