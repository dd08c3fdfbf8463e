/**
 * Can this page boot a WebContainer? Answers before booting, from what the page can see:
 * cross-origin isolation, SharedArrayBuffer, and what is known of each browser
 * (docs/architecture.md, "WebContainer facts"). Owns no state and boots nothing.
 */

export type WebContainerSupport = { ok: true } | { ok: false; reason: string };

/** What the check reads; defaults to the current page. */
export interface SupportProbe {
  /** `window.crossOriginIsolated`; undefined outside a window. */
  crossOriginIsolated: boolean | undefined;
  hasSharedArrayBuffer: boolean;
  hasDocument: boolean;
  userAgent: string;
  /** iPadOS reports a desktop Mac UA; touch points tell them apart. */
  maxTouchPoints: number;
}

function currentPage(): SupportProbe {
  const g = globalThis as typeof globalThis & { crossOriginIsolated?: boolean; document?: unknown };
  return {
    crossOriginIsolated: g.crossOriginIsolated,
    hasSharedArrayBuffer: typeof g.SharedArrayBuffer === 'function',
    hasDocument: typeof g.document === 'object' && g.document !== null,
    userAgent: g.navigator?.userAgent ?? '',
    maxTouchPoints: g.navigator?.maxTouchPoints ?? 0,
  };
}

/** Whether the WebContainer executor can be offered here, and if not, why in plain words. */
export function webContainerSupport(probe: SupportProbe = currentPage()): WebContainerSupport {
  if (!probe.hasDocument) {
    return {
      ok: false,
      reason: 'WebContainer boots only in a page (main thread), not in a worker or in Node.',
    };
  }
  const ua = probe.userAgent;
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && probe.maxTouchPoints > 1);
  if (ios) {
    return {
      ok: false,
      reason:
        'WebContainer crashes tabs on iOS and iPadOS. Use a desktop Chromium browser, or the shell executor.',
    };
  }
  const safari = /Version\/(\d+)\.(\d+).*Safari\//.exec(ua);
  const isSafari = safari !== null && !/Chrome|Chromium|Edg\//.test(ua);
  if (isSafari && (Number(safari[1]) < 16 || (Number(safari[1]) === 16 && Number(safari[2]) < 4))) {
    return {
      ok: false,
      reason: 'WebContainer needs Safari 16.4 or later (and Chromium works best).',
    };
  }
  if (probe.crossOriginIsolated !== true) {
    return {
      ok: false,
      reason:
        'This page is not cross-origin isolated. Serve it with "Cross-Origin-Opener-Policy: same-origin" ' +
        'and "Cross-Origin-Embedder-Policy: require-corp" (the tabrunner relay does), over HTTPS or ' +
        'localhost, and reload without cache.',
    };
  }
  if (!probe.hasSharedArrayBuffer) {
    return {
      ok: false,
      reason: 'This browser has no SharedArrayBuffer, which WebContainer needs.',
    };
  }
  return { ok: true };
}
