/**
 * BEP 19 web seeds ("url-list"): an ordinary HTTP server holding a torrent's files is one more source of pieces.
 *
 * Layers: `ranges.ts` (pure: a piece → the ranged GETs and where their bytes land; BEP 19 URL rules; BEP 47 pad
 * files never requested), `headers.ts` (pure, strict Content-Range / Content-Length / Retry-After parsers),
 * `backoff.ts` (pure health policy: 404 → file missing for long, 5xx/timeouts → exponential backoff, a 200 to a
 * ranged GET → "ignores ranges", a cap on requests in flight), `client.ts` (`WebSeed`, the I/O shell), and
 * `download.ts` (a web-seed-only downloader that verifies and writes pieces).
 *
 * The swarm uses web seeds through `src/swarm/webseeds.ts` (the shell in a `Torrent`'s lifecycle) and
 * `src/swarm/webseed-policy.ts` (the pure choice of piece), following these rules (the hybrid: peers first, the
 * origin as a backstop):
 * - Create one `WebSeed` per url-list entry with the torrent, `start()` it with the torrent and `stop()` it when
 *   the torrent stops (stop aborts its requests).
 * - Prefer peers. Ask a web seed only for a piece that no unchoked peer has, or whose blocks no peer will deliver
 *   soon (e.g. not requested from any peer, or requested longer ago than a few round trips), and for the rarest
 *   pieces at the start when no peer has anything yet. Never ask a seed for a piece a peer is already sending.
 * - Respect the cap: call `seed.blocker(piece)` first; only when it is undefined call `fetchPiece(piece, {signal})`.
 *   The cap (`maxInFlightPerSeed`, default 2; `tandem get --webseed-max-requests N`) is enforced
 *   inside too: extra calls wait for a slot, so a crowd of clients never multiplies the load on the origin.
 * - `fetchPiece` returns the whole piece unverified: hash it (SHA-1 for v1, or the v2 merkle layer) before
 *   writing; on a mismatch call `seed.reportBadPiece()` (backs the seed off) and ask a peer or another seed.
 * - A rejection is a `WebSeedError`; `WEBSEED_UNAVAILABLE`/`WEBSEED_ABORTED` mean "ask elsewhere", every other
 *   code has already been counted against the seed's health, so simply pick another source; never retry in a loop.
 * - Pass an AbortSignal per request and abort it when a peer delivers the piece first (endgame), so the slot is
 *   freed for a piece that needs it.
 *
 * @example
 *   const seed = new WebSeed({ url: meta.urlList[0]!, meta });
 *   await seed.start();
 *   if (seed.blocker(7) === undefined) {
 *     const piece = await seed.fetchPiece(7, { signal: AbortSignal.timeout(30_000) });
 *     // verify, then storage.write(7, 0, piece)
 *   }
 *   await seed.stop();
 *
 *   await downloadFromWebSeeds({ meta, outDir: './downloads' }); // every piece from the web seeds alone
 */
export { WebSeed, needsOf, outcomeOf, type WebSeedInit, type WebSeedComponents, type FetchOptions, type WebSeedStats } from './client.js';
export { SeedHealth, chooseSeed, type SeedOutcome, type FileNeed, type Blocker, type SeedHealthOptions } from './backoff.js';
export { planPiece, fileUrl, encodeSegment, parseSeedUrl, pieceSize, rangeHeader, isWholeFile, type RangeRequest, type PiecePlan } from './ranges.js';
export { parseContentRange, parseContentLength, parseRetryAfter, type ContentRange } from './headers.js';
export { downloadFromWebSeeds, type WebSeedDownloadOptions, type WebSeedDownloadResult } from './download.js';
export { WEBSEED_DEFAULTS, type WebSeedDefaults } from './defaults.js';
export { WebSeedError, type WebSeedErrorCode } from './errors.js';
