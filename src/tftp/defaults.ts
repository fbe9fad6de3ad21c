/** Every default of the TFTP server and client, in one place, units in the names. */
export const TFTP_DEFAULTS = {
  host: '127.0.0.1',
  /** RFC 1350 uses port 69, which needs root; we default to an unprivileged one. */
  port: 6969,
  /** RFC 1350: 512-byte blocks unless blksize (RFC 2348) says otherwise. */
  blockSizeBytes: 512,
  windowSize: 1,
  timeoutMs: 1_000,
  /** Retransmissions of one packet before a transfer is given up. */
  maxRetries: 5,
  /** The largest window the server grants (RFC 7440 lets it answer with less than asked). */
  maxWindowSize: 64,
  /** The largest block the server grants; RFC 2348 allows up to 65464. */
  maxBlockSizeBytes: 65464,
  maxTransfers: 256,
  /** Transfers running at once for one client address, so one host cannot take every slot. */
  maxTransfersPerAddress: 16,
  /**
   * Datagrams per second (and burst) one address may send to the request port; the rest are dropped unanswered
   * (answering a flood would only help it reflect off us). Transfers run on their own ports and are not charged.
   */
  requestsPerSecondPerAddress: 50,
  requestBurstPerAddress: 100,
  /** Addresses the request limiter remembers at once (least recently seen forgotten first). */
  rateLimitTrackedAddresses: 10_000,
  /** Receive buffer of the request port, so a burst from one host does not push an honest request out. */
  requestSocketBufferBytes: 4 * 1024 * 1024,
  /** netascii is converted in memory; larger files are refused in that mode. */
  maxNetasciiBytes: 64 * 1024 * 1024,
  /** Largest file accepted by a write request. */
  maxWriteBytes: 4 * 1024 * 1024 * 1024,
  /**
   * After each send, poll this long for the peer's reply before sleeping, as long as its replies have been coming
   * that fast (loopback, a fast LAN). Trades CPU for round-trip time; see busy-poll-policy.ts.
   */
  busyPollMicros: 200,
  /** Bytes read from disk at once when sending. */
  readChunkBytes: 1024 * 1024,
  /** The client asks for this block size when none is given (fits a 1500-byte Ethernet MTU, RFC 2348 §1). */
  clientBlockSizeBytes: 1428,
} as const;
