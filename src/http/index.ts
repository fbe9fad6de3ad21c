/**
 * HTTP: the file server (GET/HEAD with ranges and conditional requests, listings, Basic auth, PUT uploads, TLS,
 * Combined Log Format) and the download client behind `tandem get http(s)://`.
 *
 * @example
 *   const server = new HttpFileServer({ root: '.', port: 8080, accessLog: process.stdout });
 *   console.log((await server.start()).url);
 */
export { HttpFileServer, type HttpServerOptions } from './server.js';
export { handleRequest, serveFile, type RequestInfo, type Reply, type HandlerConfig } from './handler.js';
export { decideRange, parseRangeHeader, planMultipart, coalesce, type ByteRange, type RangeDecision } from './range.js';
export { evaluatePreconditions, ifRangeAllows, makeEtag, parseEtagList } from './conditional.js';
export { parseCredentials, basicAuthChecker, type BasicCredentials } from './auth.js';
export { formatCombined, type AccessRecord } from './access-log.js';
export { urlPathSegments, tftpPathSegments, resolveInside, isInside } from './safe-path.js';
export { downloadHttp, type HttpDownloadOptions, type HttpDownloadResult } from './client.js';
export { HttpError, type HttpErrorCode } from './errors.js';
export { HTTP_DEFAULTS } from './defaults.js';
