import { describe, expect, it } from 'vitest';
import { RELAY_ERROR_STATUS, RelayError } from '../../proxy/relay-error.ts';
import { RELAY_REASONS, relayRefusalIn } from './relay-refusal.ts';

function jsonResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'application/json' } });
}

describe('relayRefusalIn', () => {
  it('knows every reason the relay answers with', () => {
    expect([...RELAY_REASONS].sort()).toEqual(Object.keys(RELAY_ERROR_STATUS).sort());
  });

  it("reads the relay's own refusal, with Node's code for a failed upstream connection", () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const error = new RelayError('upstream_unreachable', 'The upstream x could not be reached.', {
      cause,
    });
    const response = error.toResponse();
    expect(relayRefusalIn(response, error.body())).toEqual({
      reason: 'upstream_unreachable',
      message: 'The upstream x could not be reached.',
      upstreamError: 'ECONNREFUSED',
    });
    const refused = new RelayError('host_not_allowed', 'Not an upstream.');
    expect(relayRefusalIn(refused.toResponse(), refused.body())).toEqual({
      reason: 'host_not_allowed',
      message: 'Not an upstream.',
      upstreamError: null,
    });
  });

  it("never takes GitLab's own JSON errors for the relay's", () => {
    for (const body of [
      { message: '403 Forbidden' },
      { error: '404 Not Found' },
      { error: 'invalid_token', error_description: 'Token was revoked.' },
      { error: 'not_found' },
      { error: 'host_not_allowed', message: { base: ['x'] } },
    ]) {
      expect(
        relayRefusalIn(jsonResponse(403, ''), JSON.stringify(body)),
        JSON.stringify(body),
      ).toBe(null);
    }
    const text = JSON.stringify({ error: 'host_not_allowed', message: 'Not an upstream.' });
    expect(relayRefusalIn(new Response(text, { status: 403 }), text)).toBe(null);
    expect(relayRefusalIn(jsonResponse(200, text), text)).toBe(null);
  });
});
