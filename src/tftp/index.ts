/**
 * TFTP (RFC 1350) with options (RFC 2347 blksize 2348, timeout/tsize 2349, windowsize 7440): a pure packet codec,
 * pure sender/receiver state machines, and thin UDP shells for the server and the client.
 *
 * @example
 *   const server = new TftpServer({ root: './boot', port: 6969 });
 *   await server.start();
 *   await tftpGet({ host: '127.0.0.1', port: 6969, file: 'kernel', outPath: '/tmp/kernel', windowSize: 16 });
 */
export { TftpServer, type TftpServerOptions, type TransferReport } from './server.js';
export { formatTransferLine } from './transfer-log.js';
export { tftpGet, parseTftpUrl, type TftpGetOptions, type TftpGetResult } from './client.js';
export { decodePacket, encodeRequest, encodeData, encodeAck, encodeError, encodeOack, ERR, OP, MAX_PACKET_BYTES, type TftpPacket, type TransferMode } from './packets.js';
export { Sender, type SenderAction, type SenderInit } from './sender.js';
export { Receiver, type ReceiverAction, type ReceiverInit } from './receiver.js';
export { negotiateServer, acceptOack, type TransferOptions } from './options.js';
export { toNetascii, NetasciiDecoder } from './netascii.js';
export { TftpError, type TftpErrorCode } from './errors.js';
export { TFTP_DEFAULTS } from './defaults.js';
