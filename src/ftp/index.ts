/**
 * FTP (RFC 959) and FTPS (RFC 4217) with the extensions clients rely on: FEAT/OPTS (RFC 2389), EPRT/EPSV
 * (RFC 2428), UTF-8 names (RFC 2640), SIZE, MDTM, REST STREAM and MLSD/MLST (RFC 3659). A pure codec (codec.ts,
 * rfc2428.ts, listing.ts), a session state machine per control connection, the server, and the download client
 * behind `tandem get ftp://`.
 *
 * @example
 *   const server = new FtpServer({ root: './public', port: 2121 });
 *   const { port } = await server.start();
 *   await ftpDownload({ url: `ftp://127.0.0.1:${port}/big.iso`, outDir: '/tmp' });
 */
export { FtpServer, type FtpServerOptions } from './server.js';
export type { FtpEvent } from './session-config.js';
export { formatFtpLine } from './transfer-log.js';
export { ftpDownload, parseFtpUrl, type FtpDownloadOptions, type FtpDownloadResult } from './client.js';
export { LineSplitter, parseCommand, formatReply, ReplyParser, type Command, type Reply } from './codec.js';
export { parseEprt, parseHostPortCommas, parseEpsvReply, parsePasvReply, formatEpsvReply, formatHostPortCommas } from './rfc2428.js';
export { lsLine, mlsxLine, parseLsLine, parseMlsxLine, timeVal } from './listing.js';
export { resolveFtpPath } from './paths.js';
export { FtpError, type FtpErrorCode } from './errors.js';
export { FTP_DEFAULTS } from './defaults.js';
