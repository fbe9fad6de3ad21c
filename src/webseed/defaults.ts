/** Every web-seed default in one place (STYLE.md 17), units in the names. */
export const WEBSEED_DEFAULTS = {
  /**
   * HTTP requests in flight to one seed at once. Small on purpose: the origin serves a whole crowd, and peers
   * should carry most of the load (issue 5: "the number of requests in flight to it is capped").
   */
  maxInFlightPerSeed: 2,
  /** No byte received for this long: the request is abandoned as a timeout. */
  idleTimeoutMs: 15_000,
  /** A whole ranged GET (one piece stretch) may not take longer than this. */
  requestTimeoutMs: 120_000,
  /** A 404/410 marks the file missing on that seed for this long (BEP 19 leaves the policy to the client). */
  missingFileBackoffMs: 30 * 60_000,
  /** First backoff after a 5xx, timeout or broken connection; doubles per consecutive failure. */
  backoffBaseMs: 1_000,
  /** The backoff never grows past this. */
  backoffMaxMs: 5 * 60_000,
  /** A `Retry-After` longer than this is cut down to it (a hostile server cannot park us for a day). */
  retryAfterMaxMs: 60 * 60_000,
  /** A server that ignores Range is still used for files this small: it sends the whole file and we slice. */
  noRangesWholeFileMaxBytes: 1024 * 1024,
  /** Redirects followed for one request (RFC 9110 §15.4); more is an error. */
  maxRedirects: 3,
  /** Attempts at one piece across all seeds before the downloader gives up. */
  maxAttemptsPerPiece: 8,
  /** The longest a downloader sleeps waiting for a backed-off seed before it looks again. */
  maxWaitMs: 60_000,
} as const;

export type WebSeedDefaults = typeof WEBSEED_DEFAULTS;
