import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { relayConfigFromEnv } from './proxy/config.ts';
import { relayPlugin } from './proxy/vite-plugin.ts';

// The self-check writes the client's version into its transcripts; the package exports no package.json.
const webContainerApi = JSON.parse(
  readFileSync(new URL('./node_modules/@webcontainer/api/package.json', import.meta.url), 'utf8'),
) as { version: string };

/**
 * Scripts that find their global object through `global` (Node) or `this` (undefined in a
 * module Worker): lightning-fs's TextEncoder polyfill.
 */
const NEEDS_GLOBAL = /node_modules\/fast-text-encoding\/text\.min\.js$/;
const umdGlobal: Plugin = {
  name: 'tabrunner-umd-global',
  transform(code, id) {
    return NEEDS_GLOBAL.test(id) ? { code: `var global = globalThis;\n${code}`, map: null } : null;
  },
};

export default defineConfig({
  // The relay at /gitlab/… and /healthz when RELAY_UPSTREAMS names a GitLab (docs/relay.md).
  plugins: [
    svelte({ configFile: false }),
    umdGlobal,
    relayPlugin({ config: relayConfigFromEnv(process.env) }),
  ],
  // The dev server pre-bundles dependencies without the plugins above (lightning-fs and its
  // TextEncoder polyfill crashed the sources Worker under `npm run dev` and the browser tests).
  optimizeDeps: { rolldownOptions: { plugins: [umdGlobal] } },
  // The sources Worker and the timer Worker are ES modules (`new Worker(url, { type: 'module' })`).
  worker: { format: 'es', plugins: () => [umdGlobal] },
  server: {
    headers: {
      // WebContainer needs cross-origin isolation (see docs/architecture.md).
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  define: { __WEBCONTAINER_API_VERSION__: JSON.stringify(webContainerApi.version) },
  build: {
    target: 'es2022',
    // just-bash is one 1.3 MB chunk, loaded when the runner first starts (src/tab/browser-runner.ts);
    // what the first page loads is bench/first-page.bench.ts's row, with its goal.
    chunkSizeWarningLimit: 1500,
  },
});
