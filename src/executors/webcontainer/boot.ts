/**
 * Boots the page's one WebContainer: support check first (a clear message instead of a boot
 * that never settles), the optional API key before the first boot (it throws afterwards), a
 * timeout around `boot()` (which has none; bolt.new uses 30 s), and `error` events forwarded.
 */
import { within, type Clock } from '../../platform/clock.ts';
import { TabrunnerError } from '../../errors/index.ts';
import type { Container, WebContainerApi } from './container.ts';
import { webContainerSupport, type WebContainerSupport } from './support.ts';
import { bootFailedError, bootTimeoutError, unsupportedError } from './webcontainer-errors.ts';

export interface BootWebContainerOptions {
  api: WebContainerApi;
  clock: Clock;
  /**
   * StackBlitz WebContainer API key. Production use in a commercial, for-profit setting needs a
   * commercial licence; the key is a public client id, not a secret.
   */
  apiKey?: string;
  /** @default 30_000 */
  bootTimeoutMs?: number;
  /** Must match the page's Cross-Origin-Embedder-Policy header. @default 'require-corp' */
  coep?: 'require-corp' | 'credentialless';
  /** @default webContainerSupport */
  support?: () => WebContainerSupport;
  /** Internal WebContainer errors; blocked third-party storage shows up here. */
  onError?: (message: string) => void;
}

/** The key each API was configured with: `configureAPIKey` works once per page, before any boot. */
const configuredKeys = new WeakMap<WebContainerApi, string | undefined>();

export async function bootWebContainer(options: BootWebContainerOptions): Promise<Container> {
  const support = (options.support ?? webContainerSupport)();
  if (!support.ok) throw unsupportedError(support.reason);
  configureKeyOnce(options.api, options.apiKey);

  const timeoutMs = options.bootTimeoutMs ?? 30_000;
  const booting = options.api.boot({
    coep: options.coep ?? 'require-corp',
    workdirName: 'tabrunner',
  });
  let winner: Container | 'timeout';
  try {
    winner = await within(options.clock, booting, timeoutMs);
  } catch (err) {
    throw bootFailedError(err);
  }
  if (winner === 'timeout') {
    // A boot that finishes late would hold the page's only instance: release it.
    booting.then(
      (late) => late.teardown(),
      () => undefined,
    );
    throw bootTimeoutError(timeoutMs);
  }
  const onError = options.onError;
  if (onError) winner.on('error', (e) => onError(e.message));
  return winner;
}

function configureKeyOnce(api: WebContainerApi, apiKey: string | undefined): void {
  if (configuredKeys.has(api)) {
    if (configuredKeys.get(api) !== apiKey) {
      throw new TabrunnerError(
        'WebContainerApiKeyChanged',
        'The WebContainer API key can only be set before the first boot; reload the tab to use the new key.',
        {},
      );
    }
    return;
  }
  if (apiKey) api.configureAPIKey(apiKey);
  configuredKeys.set(api, apiKey);
}
