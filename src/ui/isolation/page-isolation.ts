/**
 * What the tab's page knows about its own isolation: whether it is a secure context and
 * cross-origin isolated (both needed before WebContainer can boot, docs/architecture.md
 * "WebContainer facts"), and the address it was opened at, which the advice repeats.
 */

export interface PageIsolation {
  /** `isSecureContext`: HTTPS, or `localhost`. Without it no header can isolate the page. */
  secureContext: boolean;
  /** `crossOriginIsolated`: a secure context served with COOP `same-origin` and COEP. */
  crossOriginIsolated: boolean;
  /** `location.protocol`, `hostname` and `port` (empty for the scheme's default). */
  protocol: string;
  hostname: string;
  port: string;
}

/** The facts of the page this runs in. */
export function pageIsolation(page: Window = window): PageIsolation {
  return {
    secureContext: page.isSecureContext,
    crossOriginIsolated: page.crossOriginIsolated,
    protocol: page.location.protocol,
    hostname: page.location.hostname,
    port: page.location.port,
  };
}
