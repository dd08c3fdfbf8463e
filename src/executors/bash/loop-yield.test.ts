import { parse } from 'just-bash';
import { describe, expect, it } from 'vitest';
import { yieldStatement } from './loop-yield.ts';

describe('the loop yield statement', () => {
  it('is the statement just-bash’s own parser builds for `__tabrunner_yield && :`', () => {
    const [parsed] = parse('__tabrunner_yield && :').statements;
    // Positions are the parser's bookkeeping; the shape is what the interpreter runs.
    const shape = (node: unknown) =>
      JSON.parse(
        JSON.stringify(node, (key, value: unknown) => (key === 'line' ? undefined : value)),
      );
    expect(shape(yieldStatement())).toEqual(shape(parsed));
  });
});
