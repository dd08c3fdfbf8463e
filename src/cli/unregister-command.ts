/**
 * `tabrunner unregister`: remove this host's runner manager (`glrt-` tokens, docs/runner-protocol.md §2.5) or, for a
 * legacy token, the whole runner (docs/runner-protocol.md §2.4).
 */
import { isAuthenticationToken, unregisterManager, unregisterRunner } from '../gitlab/index.ts';
import { connect } from './connect.ts';
import type { CliIo } from './main.ts';
import { loadSystemId } from './state-dir.ts';

export async function unregisterCommand(options: {
  url: string;
  token: string;
  stateDir: string;
  io: CliIo;
}): Promise<number> {
  const { io } = options;
  const client = connect(options.url, io);
  if (!client) return 2;
  const manager = isAuthenticationToken(options.token);
  const systemId = await loadSystemId(options.stateDir);
  const answer = manager
    ? await unregisterManager(client, { token: options.token, systemId })
    : await unregisterRunner(client, { token: options.token });
  switch (answer.kind) {
    case 'deleted':
      io.out(
        manager
          ? `Removed runner manager ${systemId} from GitLab.`
          : 'Removed the runner from GitLab.',
      );
      return 0;
    case 'not-found':
      io.err(
        `tabrunner unregister: GitLab has no runner manager ${systemId} for this token (404).`,
      );
      return 1;
    case 'forbidden':
      io.err(
        'tabrunner unregister: GitLab refused the token (403): the runner may already be deleted.',
      );
      return 1;
    case 'failed':
      io.err(`tabrunner unregister: ${answer.message}`);
      return 1;
  }
}
