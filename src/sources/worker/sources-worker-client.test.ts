/**
 * The page side of the Worker bridge against a scripted stand-in for `worker.ts` (the real
 * Worker runs in test/browser/sources.test.ts): what the page holds between jobs, and what it
 * tells the Worker about it.
 */
import { describe, expect, it } from 'vitest';
import type { FileTree } from '../../executors/port.ts';
import { SourcesWorkerClient, type WorkerLike } from './sources-worker-client.ts';
import type { WorkerError, WorkerRequest, WorkerResponse } from './worker-protocol.ts';

type Result = Extract<WorkerResponse, { type: 'result' }>['result'];

class ScriptedWorker implements WorkerLike {
  readonly requests: WorkerRequest[] = [];
  readonly replies: Result[] = [];
  readonly failures: WorkerError[] = [];
  #listener: ((event: MessageEvent<WorkerResponse>) => void) | undefined;

  postMessage(message: WorkerRequest): void {
    this.requests.push(message);
    const error = this.failures.shift();
    if (error) {
      queueMicrotask(() =>
        this.#listener?.({ data: { id: message.id, type: 'error', error } } as MessageEvent),
      );
      return;
    }
    const result = this.replies.shift();
    if (message.type === 'getSources' && result) {
      queueMicrotask(() =>
        this.#listener?.({ data: { id: message.id, type: 'result', result } } as MessageEvent),
      );
    }
  }

  addEventListener(_type: 'message', listener: (event: MessageEvent<WorkerResponse>) => void) {
    this.#listener = listener;
  }

  terminate(): void {}
}

const bytes = (text: string) => new TextEncoder().encode(text);
const stats = {} as Result['stats'];
const call = (projectKey = 'p') => ({
  gitInfo: {} as never,
  settings: { strategy: 'fetch' } as never,
  projectKey,
});

function tree(...files: [string, string][]): FileTree {
  return { files: files.map(([path, text]) => ({ path, data: bytes(text) })) };
}

describe('SourcesWorkerClient', () => {
  it('fills in the files the Worker sent without bytes from the tree it holds', async () => {
    const worker = new ScriptedWorker();
    const client = new SourcesWorkerClient(worker);
    worker.replies.push({
      tree: tree(['a', 'one'], ['b', 'two']),
      commit: 'c1',
      stats,
      blobs: { ids: ['1', '2'], held: [] },
    });
    await client.getSources(call());
    worker.replies.push({
      tree: tree(['a', ''], ['b', 'three'], ['c', '']),
      commit: 'c2',
      stats,
      blobs: { ids: ['1', '3', '1'], held: [0, 2] },
    });
    const second = await client.getSources(call());
    expect(second.tree?.files.map((f) => [f.path, new TextDecoder().decode(f.data)])).toEqual([
      ['a', 'one'],
      ['b', 'three'],
      ['c', 'one'],
    ]);
    expect(worker.requests.map((r) => r.type === 'getSources' && r.pageHolds)).toEqual([
      false,
      true,
    ]);
  });

  it('says it holds nothing for a project it dropped over its bound, or never saw', async () => {
    const worker = new ScriptedWorker();
    const client = new SourcesWorkerClient(worker, {}, { maxHeldBytes: 5 });
    for (const key of ['small', 'big', 'small', 'other']) {
      worker.replies.push({
        tree: key === 'big' ? tree(['x', 'too many bytes']) : tree(['x', 'ok']),
        commit: 'c',
        stats,
        blobs: { ids: [key], held: [] },
      });
      await client.getSources(call(key));
    }
    expect(worker.requests.map((r) => r.type === 'getSources' && r.pageHolds)).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it('fails the job rather than hand over a file it cannot fill in', async () => {
    const worker = new ScriptedWorker();
    const client = new SourcesWorkerClient(worker);
    worker.replies.push({
      tree: tree(['a', '']),
      commit: 'c',
      stats,
      blobs: { ids: ['9'], held: [0] },
    });
    await expect(client.getSources(call())).rejects.toMatchObject({
      code: 'SourcesWorkerProtocol',
    });
  });

  it('hands on an error the Worker raised with its code and data', async () => {
    const worker = new ScriptedWorker();
    const client = new SourcesWorkerClient(worker);
    worker.failures.push({
      code: 'SourcesAuthError',
      message: 'The git server refused the job token.',
      data: { status: 401 },
    });
    await expect(client.getSources(call())).rejects.toMatchObject({
      code: 'SourcesAuthError',
      message: 'The git server refused the job token.',
      data: { status: 401 },
    });
  });

  it('keeps the message of an error that is not ours, under a code the compiler knows', async () => {
    const worker = new ScriptedWorker();
    const client = new SourcesWorkerClient(worker);
    worker.failures.push({ code: 'TypeError', message: 'x is not a function', data: {} });
    await expect(client.getSources(call())).rejects.toMatchObject({
      code: 'SourcesWorkerFailed',
      message: 'x is not a function',
      data: { workerCode: 'TypeError' },
    });
  });
});
