/**
 * The Mainline DHT (BEP 5, with BEP 32 IPv6 and BEP 43 read-only mode): find the peers of an info hash with no
 * tracker, and tell the network about our own.
 *
 * API
 * - `new DhtNode(options, components?)`: options are plain values with units in their names (see `DHT_DEFAULTS`:
 *   `queryTimeoutMs`, `tokenRotateMs`, `bucketSize`, `lookupConcurrency`...), plus `ipv4`/`ipv6` bind addresses,
 *   `bootstrap` (HOST:PORT list; the public routers when absent), `readOnly`, `statePath`, `id`. `components`
 *   injects `nowMs()`, `randomBytes(n)` and `bindSocket(family, host, port)` for tests.
 * - `start()` binds the sockets, loads `statePath` if set, and begins bootstrapping in the background;
 *   `bootstrap({signal})` runs (or reruns) it and resolves when done. `stop()` saves the table, closes every
 *   socket and timer, and aborts what is in flight.
 * - `lookup(infoHash, {signal})`: an async generator of peer addresses `{host, port}`, yielded as responses arrive,
 *   each once; it ends when the lookup converges (the k closest nodes answered). Breaking out of the loop stops it.
 * - `announce(infoHash, port, {signal, impliedPort})`: a get_peers lookup, then announce_peer to the closest nodes
 *   that gave a token. Resolves `{accepted, peers}`.
 * - `DhtPeerSource(dht, infoHash, {port, onPeers, intervalMs})`: the torrent engine's plug: look up and announce
 *   now and every `intervalMs`, handing peers to `onPeers` (e.g. `torrent.addPeers`) as they arrive.
 * - `addNode({host, port})`: BEP 5 PORT: ping a peer's DHT node and, if it answers, offer it to the routing table.
 * - Guard: with `TANDEM_NO_PUBLIC_DHT=1` (set by the test and bench runners) `start()` refuses the public
 *   routers and any non-loopback node with `DHT_PUBLIC_FORBIDDEN` (see `bootstrap.ts`).
 * - `save()` / `load()`: the routing table to and from `statePath` (JSON; atomic write).
 * - `stats()`: node counts per family, stored peers, and packet counters (dropped malformed, oversized,
 *   unsolicited, rate-limited...). `address(family)`, `nodes(family)`, `id`.
 *
 * @example
 *   const dht = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: ['127.0.0.1:6881'] });
 *   await dht.start();
 *   await dht.bootstrap();
 *   for await (const peer of dht.lookup(infoHash, { signal: AbortSignal.timeout(10_000) })) console.log(peer);
 *   await dht.announce(infoHash, 6881);
 *   await dht.stop();
 */
export { DhtPeerSource, DHT_PEER_SOURCE_INTERVAL_MS, type DhtPeerSourceOptions } from './peer-source.js';
export { DhtNode, type DhtOptions, type DhtComponents, type DhtStats, type AnnounceResult } from './node.js';
export { DHT_DEFAULTS, type DhtTunables } from './defaults.js';
export { parseHostPort, isLoopbackHost, publicDhtForbidden, NO_PUBLIC_DHT_ENV } from './bootstrap.js';
export { DhtError, type DhtErrorCode } from './errors.js';
export { type PeerAddress, type Contact, type Family } from './compact.js';
export { type NodeId, asNodeId } from './node-id.js';
export { type DatagramSocket, type BindSocket, bindUdp } from './socket.js';
