/**
 * Every tunable of the DHT in one place, units in the names. `DhtNode` merges the caller's options over these.
 */
export const DHT_DEFAULTS = {
  /** BEP 5: k, the number of nodes in a bucket and of closest nodes a lookup keeps. */
  bucketSize: 8,
  /** Queries in flight per lookup (Kademlia's alpha); the issue asks for 3 to 8. */
  lookupConcurrency: 4,
  /** How long a query waits for its response. */
  queryTimeoutMs: 2_000,
  /** A lookup's query unanswered this long stops holding a concurrency slot (see lookup.ts); its answer still counts. */
  querySoftTimeoutMs: 750,
  /** Cap on queries in flight over the whole node (memory bound, flood bound). */
  maxQueriesInFlight: 512,
  /** BEP 5: the token secret changes every five minutes... */
  tokenRotateMs: 5 * 60_000,
  /** BEP 5: ...and tokens up to ten minutes old are accepted. */
  tokenAcceptMs: 10 * 60_000,
  /** BEP 5: a node unheard of for 15 minutes is questionable; a bucket unchanged that long is refreshed. */
  nodeQuestionableMs: 15 * 60_000,
  /** BEP 5: a bucket not changed for this long gets a find_node of a random id in its range. */
  bucketRefreshMs: 15 * 60_000,
  /** BEP 5 recommends trying once more before declaring a node bad: two failures in a row make it bad. */
  nodeMaxFailures: 2,
  /** How long an announced peer stays in the store (libtorrent and others use 30-45 minutes). */
  peerTtlMs: 30 * 60_000,
  /** Peer store caps: info hashes tracked, peers per info hash, peers returned in one get_peers response. */
  maxInfoHashes: 5_000,
  maxPeersPerInfoHash: 500,
  maxValuesPerResponse: 50,
  /** Datagrams bigger than this are dropped unread (a full BEP 32 response fits in well under 2 KiB). */
  maxPacketBytes: 4_096,
  /** Per source address: queries per second and burst answered; the rest are dropped and counted. */
  rateLimitPerSecond: 50,
  rateLimitBurst: 100,
  /** Source addresses the rate limiter remembers at once (oldest forgotten first). */
  rateLimitTrackedAddresses: 10_000,
  /** How often the maintenance timer runs (bucket refresh, token rotation, peer expiry, questionable pings). */
  maintenanceIntervalMs: 30_000,
  /** With a state file, the routing table is also saved this often while running (not only at stop()). */
  stateSaveIntervalMs: 5 * 60_000,
  /** Announce/lookup: how many of the closest responding nodes get an announce_peer. */
  announceFanout: 8,
  /** Upper bound on the queries one lookup may send, whatever the network answers. */
  maxQueriesPerLookup: 200,
  /** Candidate nodes one lookup remembers (closest kept). */
  maxLookupCandidates: 128,
  /** BEP 5 PORT: a peer's DHT node is pinged at most once per this interval... */
  portPingIntervalMs: 10 * 60_000,
  /** ...and at most this many such pings are in flight at once (a swarm cannot make us a ping flood). */
  maxPortPingsInFlight: 16,
  /** The well-known public routers used when no bootstrap node is given (never in tests: see bootstrap.ts). */
  publicBootstrap: ['router.bittorrent.com:6881', 'dht.transmissionbt.com:6881', 'router.utorrent.com:6881', 'dht.libtorrent.org:25401'],
} as const;

export type DhtTunables = { -readonly [K in keyof typeof DHT_DEFAULTS]: (typeof DHT_DEFAULTS)[K] extends readonly string[] ? string[] : number };
