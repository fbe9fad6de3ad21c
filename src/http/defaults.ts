/** Every default of the HTTP server and client, in one place, units in the names. */
export const HTTP_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  /** Read-stream chunk for file bodies: large chunks keep syscalls per GiB low. */
  streamChunkBytes: 512 * 1024,
  /** Files up to this size are read into one buffer (and cached) and sent with one write. */
  smallFileBytes: 64 * 1024,
  /** Memory for cached small files, in total. */
  smallFileCacheBytes: 32 * 1024 * 1024,
  /** Idle keep-alive connections are closed after this long (RFC 9112 §9.3 lets either side close). */
  keepAliveTimeoutMs: 5_000,
  /** A client that has not sent its whole header block by then is cut off (slowloris). */
  headersTimeoutMs: 20_000,
  /** A connection that moves no bytes for this long is closed. */
  socketIdleTimeoutMs: 60_000,
  /** Connections held at once; the next one is answered 503 with Retry-After and closed (connection-gate.ts). */
  maxConnections: 1024,
  /** The Retry-After of that 503, in seconds. */
  busyRetryAfterSeconds: 1,
  /** A refused connection is read and dropped for at most this long after its 503, so the 503 arrives whole. */
  refusalLingerMs: 2_000,
  /** Refused connections lingering at once; past this they are closed at once (a flood must not pile them up). */
  maxLingeringRefusals: 1024,
  /** Pipelined requests answered in a row on one connection before it lets others go first (loop-turns.ts). */
  requestsPerConnectionTurn: 4,
  /** Request line and header fields of one request, as node:http's default maxHeaderSize (RFC 6585 431 beyond). */
  maxHeadBytes: 16 * 1024,
  /** Header fields in one request head (431 beyond); browsers send about 20. */
  maxHeaderCount: 100,
  /** RFC 9110 §14.2: a server MAY ignore a Range with too many parts; beyond this we serve the whole file. */
  maxRanges: 64,
  /** Directory listings stop after this many entries (the page says so). */
  maxListingEntries: 10_000,
  /** `--upload` size cap unless `--upload-max` says otherwise. */
  uploadMaxBytes: 1024 * 1024 * 1024,
  /** The client gives up when no bytes arrive for this long. */
  clientIdleTimeoutMs: 30_000,
  /** The client follows at most this many redirects. */
  clientMaxRedirects: 5,
} as const;
