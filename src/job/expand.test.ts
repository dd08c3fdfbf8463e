import { describe, expect, it } from 'vitest';
import { expandVariables } from './expand.ts';

const vars: Record<string, string> = { key: 'value', a: '$b', b: '$c', c: 'x', path: '/tmp' };
const lookup = (name: string) => vars[name];

describe('expandVariables', () => {
  it.each([
    ['$key', 'value'],
    ['${key}', 'value'],
    ['pre-${key}-post', 'pre-value-post'],
    ['$key$key', 'valuevalue'],
    ['$unknown', ''],
    ['$$', '$'],
    ['$$key', '$key'],
    ['$/dsa', '$/dsa'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$*$#$@$!$?$0$9', ''],
    ['${1}', ''],
    ['${}', ''],
    ['${key', 'key'],
    ['${path}/bin', '/tmp/bin'],
    ['no dollars', 'no dollars'],
  ])('expands %j to %j', (input, expected) => {
    expect(expandVariables(input, lookup)).toBe(expected);
  });

  it('is one level only (docs/runner-protocol.md §10.3: a=$b, b=$c, c=x gives a=$c)', () => {
    expect(expandVariables(vars['a'] ?? '', lookup)).toBe('$c');
    expect(expandVariables(vars['b'] ?? '', lookup)).toBe('x');
  });
});
