/**
 * xterm, its fit addon and its styles, imported by `Terminal.svelte` when the first terminal
 * shows: a third of the page's code, which the connect screen never needs
 * (bench/first-page.bench.ts).
 */
import '@xterm/xterm/css/xterm.css';

export { FitAddon } from '@xterm/addon-fit';
export { Terminal } from '@xterm/xterm';
