/**
 * Serves the built app (`vite build` output) from a folder, with the isolation and CSP headers
 * of app-headers.ts. Paths without a file extension fall back to `index.html` so client-side
 * routes load the app; missing files with an extension are 404s.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { appHeaders } from './app-headers.ts';

/** Mounts the app folder on `app` for every path not handled before it. */
export function mountStaticApp(
  app: Hono,
  appDir: string,
  extraConnectSrc: readonly string[],
): void {
  const headers = appHeaders(extraConnectSrc);
  app.use('*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    // index.html names hashed assets; it must be revalidated, the assets need not be.
    const type = c.res.headers.get('content-type') ?? '';
    c.res.headers.set(
      'Cache-Control',
      type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600',
    );
  });
  app.use('*', serveStatic({ root: appDir }));
  app.get('*', async (c, next) => {
    if (/\.[a-z0-9]+$/i.test(c.req.path)) return next();
    return serveStatic({ root: appDir, path: 'index.html' })(c, next);
  });
}
