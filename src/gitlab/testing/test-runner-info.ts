/** The runner `info` the client tests send: a browser tab with the shell executor. */
import { runnerFeatures, runnerInfo, type RunnerInfo } from '../runner-info.ts';

export function testRunnerInfo(options: { headersReadable: boolean }): RunnerInfo {
  return runnerInfo({
    version: '0.1.0',
    revision: 'abc',
    executor: 'shell',
    platform: 'browser',
    architecture: 'wasm',
    features: runnerFeatures(options),
  });
}
