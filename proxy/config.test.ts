import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRelayOptions, relayConfigFromEnv, resolveRelayConfig } from './config.ts';
import { readRelayTls } from './read-relay-tls.ts';

describe('relay configuration', () => {
  it('reads repeatable flags, and flags win over environment variables', () => {
    const options = loadRelayOptions(
      [
        '--upstream',
        'https://gitlab.example.com',
        '--upstream',
        'http://127.0.0.1:8080',
        '--allow-private',
        '127.0.0.1:8080',
        '--port',
        '9000',
      ],
      {
        RELAY_UPSTREAMS: 'https://ignored.example',
        RELAY_ORIGINS: 'https://runner.example, https://other.example',
        RELAY_MAX_REQUEST_BYTES: '1024',
      },
    );
    expect(options).toMatchObject({
      upstreams: ['https://gitlab.example.com', 'http://127.0.0.1:8080'],
      allowPrivate: ['127.0.0.1:8080'],
      origins: ['https://runner.example', 'https://other.example'],
      maxRequestBytes: 1024,
      port: 9000,
      host: '127.0.0.1',
    });
    const resolved = resolveRelayConfig(options);
    expect(resolved.upstreams.get('gitlab.example.com')).toEqual({
      scheme: 'https',
      host: 'gitlab.example.com',
      hostname: 'gitlab.example.com',
      port: 443,
      allowPrivate: false,
    });
    expect(resolved.upstreams.get('127.0.0.1:8080')?.allowPrivate).toBe(true);
    expect(resolved.upstreamTimeoutMs).toBe(180_000);
  });

  it.each([
    [{ upstreams: [] }, 'at least one upstream'],
    [{ upstreams: ['ftp://gitlab.example.com'] }, 'http or https'],
    [{ upstreams: ['https://gitlab.example.com/gitlab'] }, 'origin only'],
    [{ upstreams: ['https://user:pw@gitlab.example.com'] }, 'origin only'],
    [{ upstreams: ['https://gitlab.example.com'], allowPrivate: ['other:1'] }, 'names no upstream'],
    [
      { upstreams: ['https://gitlab.example.com'], origins: ['https://app.example/'] },
      'not an origin',
    ],
    [
      { upstreams: ['https://gitlab.example.com'], publicUrls: ['https://runner.example/app'] },
      'not a public URL',
    ],
    [
      { upstreams: ['https://gitlab.example.com'], publicUrls: ['runner.example'] },
      'not a public URL',
    ],
    [
      { upstreams: ['https://gitlab.example.com'], maxRequestBytes: -1 },
      'maxRequestBytes: Too small',
    ],
  ])('refuses %j', (config, message) => {
    expect(() => resolveRelayConfig(config)).toThrow(message);
  });

  it('reads the public URLs the relay answers to, from flags or the environment', () => {
    const fromFlags = loadRelayOptions(
      ['--upstream', 'https://gitlab.example.com', '--public-url', 'https://runner.example.com/'],
      { RELAY_PUBLIC_URLS: 'https://ignored.example' },
    );
    expect(resolveRelayConfig(fromFlags).publicUrls).toEqual(['https://runner.example.com']);
    const fromEnv = relayConfigFromEnv({
      RELAY_UPSTREAMS: 'https://gitlab.example.com',
      RELAY_PUBLIC_URLS: 'https://a.example, http://b.example:8080',
    });
    expect(fromEnv?.publicUrls).toEqual(['https://a.example', 'http://b.example:8080']);
  });

  it("gives Vite every relay setting from the environment, and leaves Vite's own to Vite", () => {
    const fromEnv = relayConfigFromEnv({
      RELAY_UPSTREAMS: 'https://gitlab.example.com',
      RELAY_ALLOW_PRIVATE: 'gitlab.example.com',
      RELAY_ORIGINS: 'https://runner.example',
      RELAY_CSP_CONNECT_SRC: 'https://relay.example',
      RELAY_MAX_REQUEST_BYTES: '1024',
      RELAY_UPSTREAM_TIMEOUT_MS: '5000',
      RELAY_HEADERS_TIMEOUT_MS: '1000',
      RELAY_REQUEST_TIMEOUT_MS: '2000',
      RELAY_PORT: '9000',
      RELAY_HOST: '0.0.0.0',
      RELAY_APP_DIR: 'dist',
      RELAY_TLS_CERT: 'cert.pem',
      RELAY_TLS_KEY: 'key.pem',
    });
    expect(fromEnv).toEqual({
      upstreams: ['https://gitlab.example.com'],
      allowPrivate: ['gitlab.example.com'],
      origins: ['https://runner.example'],
      publicUrls: undefined,
      cspConnectSrc: ['https://relay.example'],
      maxRequestBytes: 1024,
      upstreamTimeoutMs: 5000,
    });
  });

  it('reads the TLS files from flags or the environment, and only as a pair', () => {
    const upstream = ['--upstream', 'https://gitlab.example.com'];
    expect(
      loadRelayOptions([...upstream, '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {}).tlsFiles,
    ).toEqual({ cert: 'c.pem', key: 'k.pem' });
    expect(
      loadRelayOptions(upstream, { RELAY_TLS_CERT: 'c.pem', RELAY_TLS_KEY: 'k.pem' }).tlsFiles,
    ).toEqual({ cert: 'c.pem', key: 'k.pem' });
    expect(loadRelayOptions(upstream, {}).tlsFiles).toBeUndefined();
    expect(() => loadRelayOptions([...upstream, '--tls-cert', 'c.pem'], {})).toThrow(
      /--tls-cert and --tls-key go together/,
    );
    expect(() => loadRelayOptions(upstream, { RELAY_TLS_KEY: 'k.pem' })).toThrow(
      /--tls-cert and --tls-key go together/,
    );
  });

  it('names the TLS file it cannot read', async () => {
    const missing = join(tmpdir(), 'tabrunner-no-such-dir', 'cert.pem');
    await expect(readRelayTls({ cert: missing, key: missing })).rejects.toMatchObject({
      code: 'RelayTlsError',
      message: expect.stringContaining(`--tls-cert file ${missing} (ENOENT)`),
    });
  });

  it('rejects unknown flags', () => {
    expect(() => loadRelayOptions(['--upstreams', 'x'], {})).toThrow();
  });
});
