import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { relayConfigFromEnv } from './proxy/config.ts';
import { relayPlugin } from './proxy/vite-plugin.ts';

export default defineConfig({
  // The relay at /gitlab/… and /healthz when RELAY_UPSTREAMS names a GitLab (docs/relay.md).
  plugins: [svelte(), relayPlugin({ config: relayConfigFromEnv(process.env) })],
  server: {
    headers: {
      // WebContainer needs cross-origin isolation (see docs/architecture.md).
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  build: { target: 'es2022' },
});
