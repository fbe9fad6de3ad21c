import { TandemError, type ErrorKind } from '../util/errors.js';

export type WebSeedErrorCode =
  | 'WEBSEED_URL' // a url-list entry that is not an absolute http(s) URL
  | 'WEBSEED_TORRENT' // the torrent cannot be fetched from web seeds (a v2-only torrent has no v1 piece hashes)
  | 'WEBSEED_NOT_STARTED' // fetchPiece called before start() or after stop()
  | 'WEBSEED_RANGE' // a piece index or block range outside the torrent
  | 'WEBSEED_MISSING' // the seed answered 404/410 for a file of the piece (BEP 19: the file is not on that server)
  | 'WEBSEED_STATUS' // any other status than 200/206 (5xx, 403, 416, too many redirects...)
  | 'WEBSEED_NO_RANGES' // the server answered a ranged request with the whole file (it ignores Range)
  | 'WEBSEED_BAD_RESPONSE' // Content-Range or Content-Length not exactly what was asked, or a body too long/short
  | 'WEBSEED_TIMEOUT' // no byte for too long, or the request took longer than its deadline
  | 'WEBSEED_NETWORK' // the connection failed or broke (refused, reset, DNS)
  | 'WEBSEED_ABORTED' // the caller's AbortSignal fired, or the seed was stopped
  | 'WEBSEED_UNAVAILABLE' // the seed is backed off, full, or cannot serve this piece right now
  | 'WEBSEED_HASH' // a piece fetched from a seed did not match its SHA-1 (BEP 3)
  | 'WEBSEED_FAILED'; // the downloader gave up on a piece: every seed failed it too often

export class WebSeedError extends TandemError {
  constructor(
    code: WebSeedErrorCode,
    message: string,
    kind: ErrorKind = 'runtime',
    options?: { cause?: unknown; retryAfterMs?: number; fileIndex?: number },
  ) {
    super(code, message, kind, options);
    this.name = 'WebSeedError';
    this.retryAfterMs = options?.retryAfterMs;
    this.fileIndex = options?.fileIndex;
  }

  /** From a 503's `Retry-After` header (RFC 9110 §10.2.3), when the server sent one. */
  readonly retryAfterMs: number | undefined;

  /** For WEBSEED_MISSING: which file of the torrent the seed does not have. */
  readonly fileIndex: number | undefined;

  declare readonly code: WebSeedErrorCode;
}
