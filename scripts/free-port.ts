/**
 * A port free on `host` now. For a server whose URL must be known before it listens: the
 * relay named by the room's address, the emulator given its external URL. Another process may
 * take the port in between; starting then fails as for a taken port.
 */
import { createServer, type AddressInfo } from 'node:net';

export function freePort(host: string): Promise<number> {
  return new Promise((answer, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => answer(port));
    });
  });
}
