/**
 * The BitTorrent peer engine: one torrent's swarm (download, seed, magnet metadata), its listener, and the pure
 * policies (picker, choker, request queue sizing) it runs on. The daemon, trackers and DHT plug in through
 * `Torrent.addPeers()`, a shared `PeerListener`, and the typed events.
 *
 * @example
 *   const torrent = new Torrent({ metainfo, dir: './downloads', peers: [parsePeerAddress('127.0.0.1:6881')] });
 *   torrent.on('piece:verified', ({ index }) => console.log('have', index));
 *   torrent.on('done', () => void torrent.stop());
 *   await torrent.start();
 */
export { Torrent } from './torrent.js';
export { PeerListener, isWildcardHost } from './listener.js';
export { parsePeerAddress, addressKey } from './address.js';
export { DEFAULT_CONFIG, DEFAULT_LISTEN_HOSTS, LOOPBACK_HOSTS, testConfig, type SwarmConfig } from './defaults.js';
export { SwarmError, type SwarmErrorCode } from './errors.js';
export { makePeerId } from './ids.js';
export { PiecePicker, type PickerOptions, type PeerPieces } from './picker.js';
export { chooseUnchoked, pickOptimistic, type ChokeCandidate, type ChokeOptions } from './choker.js';
export { requestQueueDepth, RateMeter, TokenBucket, ChainedLimit, type RateLimit } from './rate.js';
export type { TorrentInit, TorrentComponents, TorrentEvents, TorrentStats, TorrentState, WebSeedsInit } from './types.js';
export { WebSeeds, type WebSeedsEvents, type WebSeedsStats } from './webseeds.js';
export { WebSeedPolicy, type WebSeedView, type WebSeedPolicyOptions } from './webseed-policy.js';
export { TypedEmitter } from './events.js';
