/**
 * Trackers: the clients that find peers (HTTP, BEP 3/23/7; UDP, BEP 15; tiers, BEP 12) and the `tandem tracker`
 * server (HTTP and UDP over one swarm store, in memory or in Redis).
 *
 * ## Client: what the engine uses
 *
 * ```ts
 * const client = new TrackerClient(
 *   { infoHash, peerId, port: 6881, tiers: meta.announceList ?? [[meta.announce]] },
 *   { stats: () => ({ uploaded, downloaded, left }) },   // components: stats source, optional clock and random
 * );
 * client.on('peers', ({ url, peers }) => swarm.addPeers(peers));   // PeerAddress { host, port, family }
 * client.on('warning', ({ url, message }) => log.warn(message));   // a tracker's `warning message`
 * client.on('error', ({ url, error }) => log.info(error.message)); // one tracker failed; never thrown, retried
 * client.start();            // announces `started` now, then every `interval`
 * client.announceNow();      // more peers please (respects `min interval`)
 * client.completed();        // announces `completed` at once
 * await client.stop();       // announces `stopped` (bounded by stopTimeoutMs); call it on SIGINT too
 * ```
 *
 * Tiers follow BEP 12: each tier is shuffled once; trackers are tried in order, the first tier before the next,
 * and the one that answers moves to the front of its tier. A failed round is retried after
 * failureRetryBaseMs * 2^n. UDP exchanges are retransmitted after udpRetryBaseMs * 2^n (BEP 15: 15 s * 2^n,
 * n = 0..8) and connection ids are reused for one minute. `httpAnnounce`, `httpScrape` and `UdpTrackerClient` are
 * the one-shot layers underneath; the codecs (`http-codec.ts`, `bep15-udp.ts`, `compact.ts`) are pure.
 *
 * ## Server
 *
 * ```ts
 * const server = new TrackerServer({ http: { host: '127.0.0.1', port: 6969 }, udp: { host: '127.0.0.1', port: 6969 }, store: 'memory' });
 * const { http, udp } = await server.start();   // the bound addresses (port 0 picks one)
 * await server.stop();
 * ```
 *
 * Announce and scrape over HTTP (`/announce`, `/scrape`, and `/PASSKEY/announce` in private mode) and UDP (BEP 15,
 * with the passkey in BEP 41 URL data); `/stats` (HTML) and `/metrics` (Prometheus). The swarm store is one
 * interface (`store/store.ts`) with a memory and a Redis backend.
 */
// The client side alone (what a torrent needs) is also its own face, `client/index.ts`, so that a download does not
// load the tracker server and the HTTP server under it.
export { TrackerClient, type TrackerClientEvents, type TrackerClientInit, type TrackerClientComponents } from './client/tracker-client.js';
export { httpAnnounce, httpScrape } from './client/http-client.js';
export { UdpTrackerClient } from './client/udp-client.js';
export { systemClock, type Clock } from './client/emitter.js';
export { TrackerServer, trackerStoreLimits, type TrackerServerInit, type TrackerAddresses } from './server/tracker-server.js';
export { MemoryStore, type SwarmStore } from './store/index.js';
export { TrackerError, type TrackerErrorCode } from './errors.js';
export { CLIENT_DEFAULTS, SERVER_DEFAULTS } from './defaults.js';
export type { AnnounceEvent, AnnounceRequest, AnnounceResponse, PeerAddress, ScrapeEntry } from './types.js';

export { parseHostPort } from './host-port.js';
