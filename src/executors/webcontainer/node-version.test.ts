import { describe, expect, it } from 'vitest';
import { checkNodeImage, requestedNodeMajor } from './node-version.ts';

describe('requestedNodeMajor', () => {
  it.each([
    ['node:20', 20],
    ['node:22-alpine', 22],
    ['node:18.20.4-bookworm-slim', 18],
    ['docker.io/library/node:20', 20],
    ['registry.example.com:5000/mirror/node:21.1', 21],
    ['node', 'unpinned'],
    ['node:lts', 'unpinned'],
    ['node:latest@sha256:abc', 'unpinned'],
    ['ruby:3.3', 'not-node'],
    ['nodejs/custom:20', 'not-node'],
  ])('reads %s as %s', (image, major) => {
    expect(requestedNodeMajor(image)).toBe(major);
  });
});

describe('checkNodeImage', () => {
  it('is fine without an image, with a matching major, or an unpinned node image', () => {
    expect(checkNodeImage(undefined, 'v20.19.1')).toEqual({ kind: 'ok' });
    expect(checkNodeImage('node:20-alpine', 'v20.19.1\n')).toEqual({ kind: 'ok' });
    expect(checkNodeImage('node:lts', 'v20.19.1')).toEqual({ kind: 'ok' });
  });

  it('warns with both versions when the majors differ', () => {
    const check = checkNodeImage('node:18', 'v20.19.1');
    expect(check.kind).toBe('warning');
    expect(check).toMatchObject({ message: expect.stringMatching(/Node 18 .*Node v20\.19\.1/) });
  });

  it('warns that a non-node image is ignored', () => {
    expect(checkNodeImage('python:3.12', 'v20.19.1')).toMatchObject({
      kind: 'warning',
      message: expect.stringContaining('ignored'),
    });
  });
});
