/**
 * tandem as a library: the node (many torrents, the servers, state in SQLite) and its control API. This is the
 * package's public face (`import { Node } from 'tandem'`); everything below it may change between versions.
 *
 * @example
 *   import { Node } from 'tandem';
 *   const node = await Node.open({ stateDir: '/var/lib/tandem' });
 *   await node.start();
 *   const { torrent } = await node.torrents.add({ source: 'magnet:?xt=urn:btih:…', savePath: '/srv/downloads' });
 *   node.on('torrent:changed', ({ id, changes }) => console.log(id, changes));
 */
export * from './node/index.js';
export { ApiServer, newToken, type ApiAuth, type ApiServerInit } from './api/index.js';
