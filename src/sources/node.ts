/**
 * The Node-only part of the sources surface: the node:fs store and isomorphic-git's Node HTTP
 * client. Browser code imports `./index.ts` and the Worker bridge instead.
 */
export { createNodeSourceStore, type NodeSourceStoreOptions } from './store/node-source-store.ts';
export { default as nodeHttp } from 'isomorphic-git/http/node';
