/**
 * The notice a tab shows when it cannot run Node jobs: opened over plain HTTP at a LAN address,
 * or served without the isolating headers. This test page itself is isolated (vitest.config.ts
 * extends vite.config.ts, which sends COOP and COEP), so the other cases come in as props.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../theme.css';
import { cleanup, render } from '../testing/render.ts';
import IsolationNotice from './IsolationNotice.svelte';
import { pageIsolation, type PageIsolation } from './page-isolation.ts';

afterEach(cleanup);

const LAN_PAGE: PageIsolation = {
  secureContext: false,
  crossOriginIsolated: false,
  protocol: 'http:',
  hostname: '192.168.1.20',
  port: '8787',
};

const notice = () => page.getByRole('region', { name: 'Node jobs cannot run in this tab' });

describe('the isolation notice', () => {
  it('reads this page as isolated and shows nothing', async () => {
    const facts = pageIsolation();
    expect(facts).toMatchObject({ secureContext: true, crossOriginIsolated: true });
    render(IsolationNotice, { isolation: facts });
    render(IsolationNotice, { isolation: LAN_PAGE });
    // The second render proves the notice does render here; only the first is absent.
    await expect.element(notice()).toBeVisible();
    expect(document.querySelectorAll('[data-testid="isolation-notice"]')).toHaveLength(1);
  });

  it('on a plain-HTTP LAN address, says only the shell sandbox runs and how to get HTTPS or localhost', async () => {
    render(IsolationNotice, { isolation: LAN_PAGE });
    await expect.element(notice()).toBeVisible();
    await expect
      .element(notice())
      .toHaveTextContent(/Node jobs \(WebContainer\) cannot run here; only the shell sandbox can/);
    await expect.element(notice()).toHaveTextContent('https://192.168.1.20:8787/');
    await expect.element(notice()).toHaveTextContent('--tls-cert and --tls-key');
    await expect
      .element(notice())
      .toHaveTextContent(
        'ssh -L 8787:localhost:8787 192.168.1.20, then open http://localhost:8787/',
      );
  });

  it('forwards a default port to an unprivileged local one', async () => {
    render(IsolationNotice, { isolation: { ...LAN_PAGE, hostname: 'instructor.lan', port: '' } });
    await expect
      .element(notice())
      .toHaveTextContent(
        'ssh -L 8080:localhost:80 instructor.lan, then open http://localhost:8080/',
      );
  });

  it('in a secure page served without the headers, names them instead of HTTPS', async () => {
    render(IsolationNotice, {
      isolation: { ...LAN_PAGE, secureContext: true, protocol: 'https:' },
    });
    await expect.element(notice()).toHaveTextContent('Cross-Origin-Opener-Policy: same-origin');
    await expect.element(notice()).toHaveTextContent(/only\s+the shell sandbox can/);
    await expect.element(notice()).not.toHaveTextContent('ssh -L');
  });
});
