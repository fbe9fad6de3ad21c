/**
 * Local Service Discovery (BEP 14): peers on the same network find each other through multicast announces.
 *
 * - `encodeAnnounces` / `decodeAnnounce`: the pure codec (BT-SEARCH messages, at most 1400 bytes each).
 * - `new LsdService({ family, interfaceAddress, peerPort, announceIntervalMs }, onPeer)`: `start()` joins the
 *   group 239.192.152.143:6771 (or [ff15::efc0:988f]:6771), `announce(infoHashes)` announces now and
 *   periodically, `onPeer({infoHash, host, port})` reports neighbours, `stop()` leaves and closes.
 *
 * @example
 *   const lsd = new LsdService({ peerPort: 6881 }, (p) => torrent.addPeers([p]));
 *   await lsd.start();
 *   lsd.announce([infoHash]);
 */
export { encodeAnnounces, decodeAnnounce, hostHeader, LSD_GROUP_V4, LSD_GROUP_V6, LSD_PORT, LSD_MAX_PACKET_BYTES, type LsdAnnounce } from './codec.js';
export { LsdService, LSD_DEFAULTS, type LsdOptions, type LsdPeer } from './service.js';
export { LsdError, type LsdErrorCode } from './errors.js';
