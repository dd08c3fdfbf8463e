/**
 * GitLab's `!reference [job, key, ...]` YAML tag (`Gitlab::Ci::Config::Yaml::Tags::Reference`,
 * https://gitlab.com/gitlab-org/gitlab/-/blob/master/lib/gitlab/ci/config/yaml/tags/reference.rb):
 * the tag is replaced by the value at that path of the whole config, itself resolved, so
 * references may chain. Inside a `script` array the referenced array stays one nested array,
 * which script flattening then unrolls, as GitLab does. Errors carry GitLab's words.
 */
import { isCollection, isScalar, parseDocument, Scalar, visit } from 'yaml';
import { CiConfigError } from './ci-config-error.ts';

const TAG = '!reference';

/** A `!reference` as parsed, before resolution: its raw argument. */
class Reference {
  state: 'new' | 'resolving' | 'done' = 'new';
  value: unknown;
  constructor(readonly argument: unknown) {}
}

/**
 * Parse one config file into plain values, with merge keys (`<<: *defaults`, which GitLab's YAML
 * loader resolves though YAML 1.2 dropped them) resolved and each `!reference` left as an opaque
 * value: references are resolved only once included files are merged in (`resolveReferences`),
 * so a reference may point into another file, as in GitLab. `file` names the file in errors.
 */
export function loadCiYaml(yamlText: string, file = '.gitlab-ci.yml'): unknown {
  const document = parseDocument(yamlText, { merge: true });
  const [error] = document.errors;
  if (error) {
    throw file === '.gitlab-ci.yml'
      ? new CiConfigError(file, `is not valid YAML: ${error.message}`)
      : new CiConfigError('include', `\`${file}\`: ${error.message}`, { prefixed: false });
  }
  // Each tagged node becomes one `Reference`, kept as an opaque scalar value until resolved.
  visit(document, (_key, node) => {
    if ((isCollection(node) || isScalar(node)) && node.tag === TAG) {
      return new Scalar(new Reference(node.toJSON()));
    }
    return undefined;
  });
  return document.toJS();
}

/** A mapping of a loaded config (not a list, a scalar or an unresolved `!reference`). */
export function isConfigHash(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** The loaded config with every `!reference` replaced by what it points to. */
export function resolveReferences(config: unknown): unknown {
  const resolve = (value: unknown): unknown => {
    if (value instanceof Reference) return resolveOne(value);
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
    }
    return value;
  };
  const resolveOne = (reference: Reference): unknown => {
    const { argument } = reference;
    if (!isLocation(argument)) throw new CiConfigError(TAG, `${inspect(argument)} is not valid`);
    if (reference.state === 'resolving') {
      throw new CiConfigError(TAG, `${inspect(argument)} is part of a circular chain`);
    }
    if (reference.state === 'done') return reference.value;
    reference.state = 'resolving';
    const value = resolve(dig(config, argument));
    // GitLab's `unless value`: nil and false both count as missing.
    if (value === undefined || value === null || value === false) {
      throw new CiConfigError(TAG, `${inspect(argument)} could not be found`);
    }
    reference.state = 'done';
    reference.value = value;
    return value;
  };
  return resolve(config);
}

function isLocation(argument: unknown): argument is string[] {
  return (
    Array.isArray(argument) &&
    argument.length > 0 &&
    argument.every((part) => typeof part === 'string')
  );
}

/** `Hash#dig` on the unresolved config: only hashes are walked into. */
function dig(config: unknown, location: string[]): unknown {
  let current = config;
  for (const key of location) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (current instanceof Reference) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Ruby's `inspect` for the argument, as GitLab's messages show it: `["job", "script"]`. */
function inspect(argument: unknown): string {
  if (Array.isArray(argument)) return `[${argument.map(inspect).join(', ')}]`;
  return argument === null || argument === undefined ? 'nil' : JSON.stringify(argument);
}
