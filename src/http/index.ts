/**
 * HTTP: the file server (GET/HEAD with ranges and conditional requests, listings, Basic auth, PUT uploads, TLS,
 * Combined Log Format), the download client behind `tandem get http(s)://`, and the seams `serve --seed` plugs into
 * (a pre-route for its tracker, file hooks for the `Link` header and `?torrent`, a shared send budget).
 *
 * @example
 *   const server = new HttpFileServer({ root: '.', port: 8080, accessLog: process.stdout });
 *   console.log((await server.start()).url);
 */
export { HttpFileServer, type HttpServerOptions } from './server.js';
export { handleRequest, serveFile, errorReply, TORRENT_QUERY, type RequestInfo, type Reply, type HandlerConfig, type FileHooks, type ServedFile } from './handler.js';
export { decideRange, parseRangeHeader, planMultipart, coalesce, type ByteRange, type RangeDecision } from './range.js';
export { evaluatePreconditions, ifRangeAllows, makeEtag, parseEtagList } from './conditional.js';
export { parseHttpDate } from './http-date.js';
export { parseCredentials, basicAuthChecker, type BasicCredentials } from './auth.js';
export { formatCombined, type AccessRecord } from './access-log.js';
export { urlPathSegments, tftpPathSegments, resolveInside, isInside } from './safe-path.js';
export { downloadHttp, fileNameFor, type HttpDownloadOptions, type HttpDownloadResult } from './client.js';
export { probeHttp, fetchSmall, type ProbeResult } from './probe.js';
export { parseLinkHeader, findTorrentLink, torrentLinkHeader, TORRENT_MEDIA_TYPE, MAX_LINKS, type LinkValue } from './link-header.js';
export { Throttle, type SendBudget } from './throttle.js';
export type { FileIdentity } from './file-cache.js';
export { HttpError, type HttpErrorCode } from './errors.js';
export { HTTP_DEFAULTS } from './defaults.js';
export { ConnectionGate, gateConnections, type ConnectionGateOptions } from './connection-gate.js';
