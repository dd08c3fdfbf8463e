/** Start scripted servers inside a test file; each is closed after its test. */
import { afterEach } from 'vitest';
import { startScriptedServer, type Script, type ScriptedServer } from './scripted-server.ts';

export function useScriptedServers(): (script: Script) => Promise<ScriptedServer> {
  const open: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return async (script) => {
    const server = await startScriptedServer(script);
    open.push(server);
    return server;
  };
}
