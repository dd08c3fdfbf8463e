/**
 * `tabrunner register`: with a `glrt-` token, verify it (GitLab's current flow creates the
 * runner in its UI, docs/runner-protocol.md §2.2); with a legacy registration token, register a new runner (docs/runner-protocol.md §2.1) and
 * print the authentication token it got.
 */
import { arch, platform } from 'node:process';
import {
  isAuthenticationToken,
  registerRunner,
  runnerFeatures,
  runnerInfo,
  verifyRunner,
} from '../gitlab/index.ts';
import { TABRUNNER_REVISION, TABRUNNER_VERSION } from '../runner/index.ts';
import { connect } from './connect.ts';
import type { CliIo } from './main.ts';
import { loadSystemId } from './state-dir.ts';

export interface RegisterCommandOptions {
  url: string;
  token: string;
  stateDir: string;
  io: CliIo;
  description: string;
  tagList: string;
  runUntagged: boolean;
}

export async function registerCommand(options: RegisterCommandOptions): Promise<number> {
  const { io } = options;
  const client = connect(options.url, io);
  if (!client) return 2;
  const systemId = await loadSystemId(options.stateDir);
  const info = runnerInfo({
    version: TABRUNNER_VERSION,
    revision: TABRUNNER_REVISION,
    executor: 'shell',
    platform,
    architecture: arch,
    features: runnerFeatures({ headersReadable: true }),
  });
  if (isAuthenticationToken(options.token)) {
    const answer = await verifyRunner(client, { token: options.token, systemId, info });
    if (answer.kind === 'valid') {
      io.out(
        `Runner ${answer.id} is valid; this host is runner manager ${systemId}. Start it with:`,
      );
      io.out(`  npx tabrunner run --url ${client.url} --token <the glrt- token>`);
      return 0;
    }
    io.err(
      answer.kind === 'forbidden'
        ? 'tabrunner register: GitLab does not accept this glrt- token (403). Copy it again from GitLab.'
        : `tabrunner register: could not verify the token: ${answer.kind === 'failed' ? answer.message : answer.kind}`,
    );
    return 1;
  }
  const tags = options.tagList
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const answer = await registerRunner(client, {
    registrationToken: options.token,
    info,
    description: options.description,
    tags,
    runUntagged: options.runUntagged || tags.length === 0,
  });
  switch (answer.kind) {
    case 'registered':
      io.out(`Registered runner ${answer.id}. Its token (keep it secret) is:`);
      io.out(`  ${answer.token}`);
      io.out(`Start it with: npx tabrunner run --url ${client.url} --token ${answer.token}`);
      return 0;
    case 'forbidden':
      io.err(
        'tabrunner register: GitLab refused the registration token (403). Check it in Settings › CI/CD › Runners.',
      );
      return 1;
    case 'gone':
      io.err(
        'tabrunner register: this GitLab no longer accepts registration tokens (410). Create the runner in ' +
          'GitLab instead and use its glrt- token.',
      );
      return 1;
    case 'failed':
      io.err(`tabrunner register: ${answer.message}`);
      return 1;
  }
}
