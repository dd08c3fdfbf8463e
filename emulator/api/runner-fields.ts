/**
 * Runner settings from a registration or `POST /user/runners` body, validated with GitLab's
 * answers: Grape's `{"error": …}` for malformed parameters and the model's
 * `{"message": {field: [...]}}` for invalid values (docs/runner-protocol.md §1.4, §2.1).
 */
import { parseTagList, type RunnerSettings } from '../runners/index.ts';
import { paramError, json, type Reply } from '../http/reply.ts';
import { booleanField, integerField, stringField, type ParamValue } from '../http/request.ts';

/** Settings, or the 400 reply GitLab gives for them. */
export function runnerSettingsFrom(
  fields: Record<string, ParamValue>,
): { settings: RunnerSettings } | { reply: Reply } {
  const settings: RunnerSettings = {};
  if ('paused' in fields && 'active' in fields) {
    return { reply: paramError('paused, active are mutually exclusive') };
  }
  for (const key of ['run_untagged', 'locked', 'paused', 'active'] as const) {
    if (key in fields && booleanField(fields, key) === undefined) {
      return { reply: paramError(`${key} is invalid`) };
    }
  }
  const tags = fields['tag_list'] === undefined ? [] : parseTagList(fields['tag_list']);
  if (tags === undefined) return { reply: paramError('tag_list is invalid') };
  settings.tags = tags;
  settings.runUntagged = booleanField(fields, 'run_untagged') ?? true;
  settings.locked = booleanField(fields, 'locked') ?? false;
  const active = booleanField(fields, 'active');
  settings.paused = booleanField(fields, 'paused') ?? (active === undefined ? false : !active);
  settings.description = stringField(fields, 'description') ?? '';
  settings.maintenanceNote =
    stringField(fields, 'maintenance_note') ?? stringField(fields, 'maintainer_note') ?? '';
  const accessLevel = stringField(fields, 'access_level');
  if (accessLevel !== undefined) {
    if (accessLevel !== 'not_protected' && accessLevel !== 'ref_protected') {
      return { reply: paramError('access_level does not have a valid value') };
    }
    settings.accessLevel = accessLevel;
  }
  if (fields['maximum_timeout'] !== undefined && fields['maximum_timeout'] !== null) {
    const timeout = integerField(fields, 'maximum_timeout');
    if (timeout === undefined) return { reply: paramError('maximum_timeout is invalid') };
    if (timeout < 600) {
      return {
        reply: json(400, { message: { maximum_timeout: ['needs to be at least 10 minutes'] } }),
      };
    }
    settings.maximumTimeout = timeout;
  }
  if (!settings.runUntagged && settings.tags.length === 0) {
    return {
      reply: json(400, {
        message: {
          tags_list: ['can not be empty when runner is not allowed to pick untagged jobs'],
        },
      }),
    };
  }
  return { settings };
}
