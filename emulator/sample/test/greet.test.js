// Tests with Node built-ins only, so the job needs no npm install.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { greet } from '../src/greet.js';

test('greets by name', () => {
  assert.equal(greet('tab'), 'Hello, tab!');
});

test('rejects an empty name', () => {
  assert.throws(() => greet('  '), TypeError);
});
