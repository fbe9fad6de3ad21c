/**
 * The node: one long-lived session for many torrents and the servers it runs, with its state in SQLite. Every
 * face (the CLI's daemon commands, the control API, the web UI) goes through this API.
 *
 * @example
 *   const node = await Node.open({ stateDir: '/tmp/tandem-state', dhtBootstrap: ['127.0.0.1:6881'] });
 *   await node.start();
 *   const { torrent } = await node.torrents.add({ source: 'file.torrent', savePath: '/tmp/dl' });
 *   node.on('torrent:changed', ({ id, changes }) => console.log(id, changes));
 *   await node.stop();
 */
export { Node, type NodeInit, type IdSelector } from './node.js';
export { NodeError, type NodeErrorCode } from './errors.js';
export { NODE_DEFAULTS, defaultStateDir, defaultSettings } from './defaults.js';
export { checkSettings, SETTING_KEYS } from './settings.js';
export { type ServerSpec } from './servers.js';
export { type QueueMove } from './queue.js';
export { type NodeLog, SILENT_LOG } from './log.js';
export { dhtOptionsFor, dhtRoundIntervalMs, TorrentDht, type DhtChoice } from './torrent-dht.js';
export { lsdEnabled, lsdInterfaces, lsdAnnounceIntervalMs, TorrentLsd } from './torrent-lsd.js';
export type * from './types.js';
