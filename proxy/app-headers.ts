/**
 * Headers on everything the relay serves for the app itself. WebContainer needs the page to
 * be cross-origin isolated (docs/architecture.md, "WebContainer facts the code relies on"):
 * COOP `same-origin` plus COEP. We choose COEP `require-corp`: the app loads only its own
 * files, Firefox lacks full `credentialless`, and vite.config.ts serves the same in
 * development; the WebContainer executor must therefore boot with `coep: 'require-corp'`.
 */

/**
 * Where WebContainer's runtime lives: the headless iframe on stackblitz.com and the preview,
 * storage and registry hosts it uses (docs/relay.md, "The app's headers").
 */
export const WEBCONTAINER_ORIGINS: readonly string[] = [
  'https://stackblitz.com',
  'https://*.stackblitz.com',
  'https://*.stackblitz.io',
  'https://*.webcontainer.io',
  'https://*.webcontainer-api.io',
  'https://*.staticblitz.com',
];

/**
 * The Content-Security-Policy (CSP Level 3). `connect-src` allows the page's own origin (the
 * relay, when it serves the app) and `extraConnectSrc` (a relay elsewhere); `frame-src` allows
 * only WebContainer's iframe. `'wasm-unsafe-eval'` lets the shell sandbox and the sources
 * Worker's SHA-1 (hash-wasm) compile WebAssembly without allowing `eval`; inline styles are allowed because xterm.js and Svelte transitions
 * set `style` attributes; there is no inline script.
 */
export function contentSecurityPolicy(extraConnectSrc: readonly string[]): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'", "'wasm-unsafe-eval'"],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'", 'data:'],
    ['connect-src', "'self'", ...extraConnectSrc, ...WEBCONTAINER_ORIGINS],
    ['frame-src', ...WEBCONTAINER_ORIGINS],
    ['worker-src', "'self'", 'blob:'],
    ['object-src', "'none'"],
    ['base-uri', "'self'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** Headers for every app response, including 404s, so no cached answer lacks isolation. */
export function appHeaders(extraConnectSrc: readonly string[]): Record<string, string> {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    // Our files are for our page only (Fetch standard, CORP).
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(extraConnectSrc),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
