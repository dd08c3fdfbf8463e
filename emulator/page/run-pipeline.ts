/**
 * GitLab's "Run pipeline" form (`/-/pipelines/new`): pick a project's branch, optionally give
 * pipeline variables as `KEY=value` lines, and the pipeline is created from the branch's
 * `.gitlab-ci.yml` with source `web`. As on GitLab (`save_on_errors: false` for the web
 * source), a config error creates no pipeline: the form comes back with the error.
 */
import { hasErrorCode } from '../../src/errors/index.ts';
import type { EmulatorContext } from '../context.ts';
import { createPipeline } from '../collaborators.ts';
import { branchNames } from '../git/repository.ts';
import type { Pipeline, Project } from '../model.ts';
import { escapeHtml } from './html.ts';
import { page } from './layout.ts';
import { configErrorText } from './pipelines-view.ts';

/** GitLab's rule for a variable key. */
const KEY = /^[A-Za-z0-9_]{1,255}$/;

/** What the form held, to show it again with an error. */
export interface RunPipelineForm {
  target: string;
  variables: string;
}

/** The project's branches, its default branch first. */
async function branchesOf(project: Project): Promise<string[]> {
  const names = await branchNames(project.gitDir);
  return [
    ...names.filter((n) => n === project.defaultBranch),
    ...names.filter((n) => n !== project.defaultBranch),
  ];
}

export async function runPipelineForm(
  ctx: EmulatorContext,
  form: RunPipelineForm = { target: '', variables: '' },
  error = '',
): Promise<string> {
  const groups: string[] = [];
  for (const project of ctx.state.projects.values()) {
    const options = (await branchesOf(project))
      .map((branch) => {
        const value = `${project.id}:${branch}`;
        const selected = value === form.target ? ' selected' : '';
        return `<option value="${escapeHtml(value)}"${selected}>${escapeHtml(branch)}</option>`;
      })
      .join('');
    if (options)
      groups.push(`<optgroup label="${escapeHtml(project.fullPath)}">${options}</optgroup>`);
  }
  const body =
    '<div class="page-title"><h1>Run pipeline</h1></div>' +
    (error ? `<div class="alert alert-danger" role="alert">${escapeHtml(error)}</div>` : '') +
    '<form class="run-form" method="post" action="/-/pipelines">' +
    '<label for="target">Run for branch</label>' +
    `<select id="target" name="target" required>${groups.join('')}</select>` +
    '<label for="variables">Variables <small>one <code>KEY=value</code> per line; they become pipeline variables</small></label>' +
    `<textarea id="variables" name="variables" rows="5" spellcheck="false" placeholder="DEPLOY=staging">${escapeHtml(form.variables)}</textarea>` +
    '<div class="form-actions"><button type="submit" class="btn btn-confirm">Run pipeline</button> <a class="btn" href="/">Cancel</a></div>' +
    '</form>';
  return page('Run pipeline', body, { instructor: true, refresh: null, section: 'pipelines' });
}

/** Read `KEY=value` lines; blank lines are skipped. */
function parseVariableLines(text: string): Record<string, string> | string {
  const variables: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    if (eq < 0 || !KEY.test(key)) {
      return `Variables line ${index + 1}: write KEY=value, where KEY has only letters, digits and _.`;
    }
    variables[key] = line.slice(eq + 1);
  }
  return variables;
}

/** Create the pipeline the form asks for; a string is the error to show on the form. */
export async function runPipeline(
  ctx: EmulatorContext,
  form: RunPipelineForm,
): Promise<Pipeline | string> {
  const split = form.target.indexOf(':');
  const project = ctx.state.projects.get(Number(form.target.slice(0, split)));
  const ref = form.target.slice(split + 1);
  if (split < 0 || !project || ref === '')
    return 'Choose a project branch to run the pipeline for.';
  const variables = parseVariableLines(form.variables);
  if (typeof variables === 'string') return variables;
  try {
    return await createPipeline(ctx, project.id, { ref, source: 'web', variables });
  } catch (error) {
    // A missing ref is the form's mistake, anything else from the config GitLab's error.
    if (hasErrorCode(error, 'CiConfigError') && error.message.startsWith('ref '))
      return error.message;
    if (hasErrorCode(error, 'CiConfigError')) return configErrorText(error.message);
    throw error;
  }
}
