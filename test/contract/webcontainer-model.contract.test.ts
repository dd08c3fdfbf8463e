/**
 * The executor contract for the WebContainer adapter on a model of WebContainer
 * (test/support/node-container.ts): real Node.js, npm and files on this machine with
 * WebContainer's documented stream and kill behaviour on top. A test double, because
 * WebContainer's runtime cannot boot here; it proves the adapter's own work (the stage shell
 * over the container's files, spawning, draining, stopping, replacing the container) with real
 * processes. `npm install` from the registry is left to the transcript replay and the
 * self-check, so this suite needs no network.
 */
import { afterAll } from 'vitest';
import {
  createWebContainerExecutor,
  WEBCONTAINER_CAPABILITIES,
} from '../../src/executors/webcontainer/index.ts';
import { NodeApi } from '../support/node-container.ts';
import { describeExecutorContract } from './executor.ts';

const api = new NodeApi();
afterAll(() => api.dispose());

describeExecutorContract(
  'webcontainer on the Node.js model of WebContainer',
  async () =>
    createWebContainerExecutor({
      api: async () => api,
      support: () => ({ ok: true }),
      killGraceMs: 1_000,
    }),
  { capabilities: WEBCONTAINER_CAPABILITIES.filter((c) => c !== 'registry') },
);
