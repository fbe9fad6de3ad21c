// Every tracker default in one place, units in the names (DESIGN.md §5).

/** Client side. */
export const CLIENT_DEFAULTS = {
  /** BEP 15: retransmit after 15 * 2^n seconds; tests shrink the base so they run fast. */
  udpRetryBaseMs: 15_000,
  /** BEP 15: "up to 8" retransmissions, n = 0..8. */
  udpMaxRetries: 8,
  /** BEP 15: a client may use a connection id for one minute after receiving it. */
  udpConnectionIdTtlMs: 60_000,
  httpTimeoutMs: 30_000,
  /** A tracker response over this size is refused before it is read on. */
  maxResponseBytes: 2 * 1024 * 1024,
  numwant: 50,
  /** Used when a tracker sends no interval, and as the floor of one that is absurdly small. */
  fallbackIntervalMs: 30 * 60_000,
  minIntervalFloorMs: 5_000,
  /** A tracker cannot ask us to wait longer than this between announces. */
  maxIntervalMs: 24 * 60 * 60_000,
  /** After a failed announce, wait retryBase * 2^failures, capped. */
  failureRetryBaseMs: 15_000,
  failureRetryMaxMs: 30 * 60_000,
  /** The `stopped` announce on shutdown waits at most this long. */
  stopTimeoutMs: 5_000,
} as const;

/** Server side. */
export const SERVER_DEFAULTS = {
  announceIntervalS: 1800,
  minAnnounceIntervalS: 900,
  /** A peer that has not announced for this long is dropped (BEP 3 leaves it to the tracker; 2 intervals + slack). */
  peerTtlMs: 2 * 1800_000 + 60_000,
  sweepEveryMs: 60_000,
  defaultNumwant: 50,
  /** A requested numwant above this is capped, never honoured (it sizes the response). */
  maxNumwant: 200,
  maxTorrents: 1_000_000,
  maxPeersPerTorrent: 100_000,
  maxPeersTotal: 5_000_000,
  /** BEP 15 (scrape): at most about 74 info hashes fit in one UDP packet; we apply the same cap over HTTP. */
  maxScrapeHashes: 74,
  /** An HTTP request line longer than this is refused. */
  maxUrlBytes: 4096,
  /**
   * Per-address token bucket, per face (HTTP, UDP): sustained requests per second and burst; 0 turns the limit off.
   * A client announces each torrent every half hour, so even a big NAT stays far below; a flood is dropped unread.
   */
  rateLimitPerSecond: 500,
  rateLimitBurst: 1000,
  /** At most this many addresses are tracked by the rate limiter; the oldest are forgotten. */
  rateLimitMaxAddresses: 100_000,
  /** BEP 15: a tracker should accept a connection id until two minutes after it was sent. */
  udpConnectionIdTtlMs: 120_000,
  /** BEP 15 announce is 98 bytes; BEP 41 options may follow. Anything longer is refused. */
  maxUdpPacketBytes: 1024,
  /** Receive buffer of the UDP face, so a burst from one flooding host does not push honest packets out. */
  udpReceiveBufferBytes: 4 * 1024 * 1024,
  httpRequestTimeoutMs: 10_000,
  httpKeepAliveTimeoutMs: 5_000,
  maxHttpConnections: 10_000,
} as const;
