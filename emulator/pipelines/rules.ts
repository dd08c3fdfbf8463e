/**
 * `rules: - if:` expressions (GitLab's `Gitlab::Ci::Pipeline::Expression`) for the subset CI
 * configs commonly use: `$VAR`, `"string"`/`'string'`, `null`, `/regex/flags`, `==`, `!=`,
 * `=~`, `!~`, `&&` (binds tighter), `||`, and parentheses. An undefined variable is null.
 */
import { CiConfigError } from './ci-config-error.ts';

type Token =
  | { kind: 'var'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'null' }
  | { kind: 'regex'; source: string; flags: string }
  | { kind: 'op'; op: '==' | '!=' | '=~' | '!~' | '&&' | '||' | '(' | ')' };

type Value = string | null | RegExp | boolean;

/** Whether `expression` holds for these variables. Throws CiConfigError when it is malformed. */
export function evaluateRule(
  expression: string,
  variables: Readonly<Record<string, string>>,
  path: string,
): boolean {
  const tokens = tokenize(expression, path);
  let pos = 0;
  const fail = (why: string): never => {
    throw new CiConfigError(path, `invalid expression syntax: ${why} in "${expression}"`);
  };
  const peekOp = () => {
    const token = tokens[pos];
    return token?.kind === 'op' ? token.op : null;
  };

  const operand = (): Value => {
    const token = tokens[pos++];
    if (!token) return fail('unexpected end');
    switch (token.kind) {
      case 'var':
        return variables[token.name] ?? null;
      case 'string':
        return token.value;
      case 'null':
        return null;
      case 'regex':
        return new RegExp(token.source, token.flags);
      case 'op':
        if (token.op !== '(') return fail(`unexpected ${token.op}`);
        {
          const value = or();
          const close = tokens[pos++];
          if (close?.kind !== 'op' || close.op !== ')') return fail('missing )');
          return value;
        }
    }
  };
  const comparison = (): Value => {
    const left = operand();
    const op = peekOp();
    if (op !== '==' && op !== '!=' && op !== '=~' && op !== '!~') return left;
    pos++;
    const right = operand();
    if (op === '==' || op === '!=') {
      const equal = left instanceof RegExp || right instanceof RegExp ? false : left === right;
      return op === '==' ? equal : !equal;
    }
    const pattern = right instanceof RegExp ? right : toRegex(right, fail);
    const matches = typeof left === 'string' && pattern.test(left);
    return op === '=~' ? matches : !matches;
  };
  const and = (): Value => {
    let value = comparison();
    while (peekOp() === '&&') {
      pos++;
      const right = comparison();
      value = truthy(value) && truthy(right);
    }
    return value;
  };
  const or = (): Value => {
    let value = and();
    while (peekOp() === '||') {
      pos++;
      const right = and();
      value = truthy(value) || truthy(right);
    }
    return value;
  };

  const result = or();
  if (pos !== tokens.length) fail('unexpected trailing tokens');
  return truthy(result);
}

function truthy(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (value instanceof RegExp) return true;
  return value !== null && value !== '';
}

/** A variable holding `/re/flags` works as a pattern on the right of `=~` (GitLab ≥ 15). */
function toRegex(value: Value, fail: (why: string) => never): RegExp {
  const match = typeof value === 'string' ? /^\/(.*)\/([a-z]*)$/s.exec(value) : null;
  if (!match) return fail('right side of =~ is not a regular expression');
  return new RegExp(match[1] ?? '', match[2] ?? '');
}

function tokenize(expression: string, path: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:\$([A-Za-z_][A-Za-z0-9_]*)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(null)\b|\/((?:[^/\\]|\\.)*)\/([a-z]*)|(==|!=|=~|!~|&&|\|\||\(|\)))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) break;
    re.lastIndex = index;
    const match = re.exec(expression);
    if (!match) {
      throw new CiConfigError(path, `invalid expression syntax at "${expression.slice(index)}"`);
    }
    index = re.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'var', name: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', value: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'string', value: match[3] });
    else if (match[4] !== undefined) tokens.push({ kind: 'null' });
    else if (match[5] !== undefined) {
      tokens.push({ kind: 'regex', source: match[5], flags: match[6] ?? '' });
    } else tokens.push({ kind: 'op', op: match[7] as Extract<Token, { kind: 'op' }>['op'] });
  }
  return tokens;
}
