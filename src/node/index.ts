/**
 * The node: one long-lived session for many torrents and the servers it runs, with its state in SQLite. Every
 * face (the CLI's daemon commands, the control API, the web UI) goes through this API. `tandem get` and
 * `tandem share` run a one-shot node in-process (`oneShot: true`: state in memory) and follow its swarm events.
 *
 * @example
 *   const node = await Node.open({ stateDir: '/tmp/tandem-state', dhtBootstrap: ['127.0.0.1:6881'] });
 *   await node.start();
 *   const { torrent } = await node.torrents.add({ source: 'file.torrent', savePath: '/tmp/dl' });
 *   node.on('torrent:changed', ({ id, changes }) => console.log(id, changes));
 *   await node.stop();
 */
export { Node, type NodeInit } from './node.js';
export { NodeError, type NodeErrorCode } from './errors.js';
export { NODE_DEFAULTS, defaultStateDir, defaultSettings } from './defaults.js';
export { checkSettings, SETTING_KEYS } from './settings.js';
export { type ServerSpec } from './servers.js';
export { type ComputeSpec, type ComputeInfo } from './compute.js';
export { type NodeFtpOptions } from './server-ftp.js';
export { type QueueMove } from './queue.js';
export { SEED_RATIO_MODES, type SeedRatioMode } from './seed-limit.js';
export { type NodeLog, SILENT_LOG } from './log.js';
export { dhtOptionsFor, dhtRoundIntervalMs, type DhtChoice } from './node-dht.js';
export { lsdEnabled, lsdInterfaces, lsdAnnounceIntervalMs } from './node-lsd.js';
// What the faces need to check a command line's peer addresses and encryption policy, and to name a listen address.
export { parsePeerAddress, isWildcardHost } from '../swarm/index.js';
export { ENCRYPTION_POLICIES, isEncryptionPolicy, type EncryptionPolicy } from '../mse/index.js';
export type * from './types.js';
