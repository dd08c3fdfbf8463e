/// <reference types="svelte" />
/// <reference types="vite/client" />

/** `@webcontainer/api`'s version, set by vite.config.ts (the self-check writes it into transcripts). */
declare const __WEBCONTAINER_API_VERSION__: string | undefined;
