import { describe, expect, it } from 'vitest';
import { runnerFeatures, runnerInfo } from './runner-info.ts';
import { generateSystemId, isValidSystemId } from './system-id.ts';

describe('runnerFeatures (TestFeaturesInfo_JSONMarshaling)', () => {
  it('sends the full object of 31 booleans, true only for what tabrunner supports', () => {
    expect(JSON.parse(JSON.stringify(runnerFeatures({ headersReadable: false })))).toEqual({
      variables: true,
      image: false,
      services: false,
      artifacts: true,
      cache: true,
      fallback_cache_keys: true,
      shared: false,
      upload_multiple_artifacts: true,
      upload_raw_artifacts: false,
      session: false,
      terminal: false,
      refspecs: true,
      masking: true,
      proxy: false,
      raw_variables: true,
      artifacts_exclude: true,
      multi_build_steps: false,
      trace_reset: true,
      trace_checksum: true,
      trace_size: true,
      vault_secrets: false,
      cancelable: true,
      return_exit_code: true,
      service_variables: false,
      service_multiple_aliases: false,
      image_executor_opts: false,
      service_executor_opts: false,
      cancel_gracefully: false,
      native_steps_integration: false,
      two_phase_job_commit: true,
      job_inputs: false,
    });
  });

  it('advertises cancel_gracefully only when Job-Status is readable', () => {
    expect(runnerFeatures({ headersReadable: true }).cancel_gracefully).toBe(true);
    expect(runnerFeatures({ headersReadable: false }).cancel_gracefully).toBe(false);
  });

  it('ties the artifact and cache keys to what the caller enables', () => {
    const none = runnerFeatures({ headersReadable: false, artifacts: false, rawArtifacts: true });
    expect([
      none.artifacts,
      none.upload_multiple_artifacts,
      none.artifacts_exclude,
      none.upload_raw_artifacts,
    ]).toEqual([false, false, false, false]);
    const cache = runnerFeatures({ headersReadable: false, cache: false, rawArtifacts: true });
    expect([cache.cache, cache.fallback_cache_keys, cache.upload_raw_artifacts]).toEqual([
      false,
      false,
      true,
    ]);
  });
});

describe('runnerInfo', () => {
  it('names the runner tabrunner, omits empty values and always sends config.gpus', () => {
    const features = runnerFeatures({ headersReadable: true });
    const info = runnerInfo({
      version: '0.1.0',
      revision: '',
      executor: 'shell',
      platform: 'browser',
      architecture: 'wasm',
      features,
    });
    expect(JSON.parse(JSON.stringify(info))).toEqual({
      name: 'tabrunner',
      version: '0.1.0',
      platform: 'browser',
      architecture: 'wasm',
      executor: 'shell',
      features,
      config: { gpus: '' },
    });
    expect(Object.keys(info)).toEqual([
      'name',
      'version',
      'platform',
      'architecture',
      'executor',
      'features',
      'config',
    ]);
    expect(
      runnerInfo({
        version: '0.1.0',
        revision: 'abc',
        executor: 'shell',
        shell: 'bash',
        platform: 'browser',
        architecture: 'wasm',
        features,
      }).shell,
    ).toBe('bash');
  });
});

describe('generateSystemId (docs/runner-protocol.md §2.8)', () => {
  it('is r_ and 12 alphanumerics, different each time', () => {
    const ids = Array.from({ length: 200 }, () => generateSystemId());
    for (const id of ids) {
      expect(id).toMatch(/^r_[A-Za-z0-9]{12}$/);
      expect(isValidSystemId(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(200);
  });

  it('uses an injected random source', () => {
    expect(generateSystemId(() => 0)).toBe('r_aaaaaaaaaaaa');
    expect(generateSystemId(() => 0.9999)).toBe('r_999999999999');
  });

  it('recognises both GitLab shapes and nothing else', () => {
    expect(isValidSystemId('s_0123456789ab')).toBe(true);
    expect(isValidSystemId('r_0123456789ab')).toBe(true);
    expect(isValidSystemId('r_0123456789a')).toBe(false);
    expect(isValidSystemId('x_0123456789ab')).toBe(false);
    expect(isValidSystemId('s_0123456789aZ')).toBe(false);
  });
});
