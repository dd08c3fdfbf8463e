import { describe, expect, it } from 'vitest';
import { webContainerSupport, type SupportProbe } from './support.ts';

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const page: SupportProbe = {
  crossOriginIsolated: true,
  hasSharedArrayBuffer: true,
  hasDocument: true,
  userAgent: CHROME,
  maxTouchPoints: 0,
};

describe('webContainerSupport', () => {
  it('accepts an isolated desktop Chromium page', () => {
    expect(webContainerSupport(page)).toEqual({ ok: true });
  });

  it('names the missing COOP/COEP headers when the page is not isolated', () => {
    const result = webContainerSupport({ ...page, crossOriginIsolated: false });
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Cross-Origin-Embedder-Policy'),
    });
  });

  it('refuses without SharedArrayBuffer', () => {
    expect(webContainerSupport({ ...page, hasSharedArrayBuffer: false })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('SharedArrayBuffer'),
    });
  });

  it('refuses iOS and an iPad that reports a Mac user agent', () => {
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1';
    const ipad =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15';
    expect(webContainerSupport({ ...page, userAgent: iphone })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('iOS'),
    });
    expect(webContainerSupport({ ...page, userAgent: ipad, maxTouchPoints: 5 })).toMatchObject({
      ok: false,
    });
    expect(webContainerSupport({ ...page, userAgent: ipad, maxTouchPoints: 0 })).toEqual({
      ok: true,
    });
  });

  it('refuses Safari before 16.4', () => {
    const old =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/16.3 Safari/605.1.15';
    expect(webContainerSupport({ ...page, userAgent: old })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('16.4'),
    });
  });

  it('refuses outside a page', () => {
    expect(webContainerSupport({ ...page, hasDocument: false })).toMatchObject({ ok: false });
  });

  it('reads the current environment by default (Node here: no page)', () => {
    expect(webContainerSupport()).toMatchObject({ ok: false });
  });
});
