/**
 * node:http's answer to a request it could not parse (its `clientError` event: HTTPS, and connections the fast path
 * handed over), given as node's default handler gives it, plus the access-log line that default never writes, so
 * every refused request is logged on either path as the fast path logs its own (`H1Connection.refuse`).
 */
import type { Socket } from 'node:net';
import type { AccessLog } from './access-log.js';
import { encodeRefusal, requestLineOf } from './h1-codec.js';

export interface ClientError extends Error {
  code?: string;
  /** The bytes node's parser was reading when it failed (node documents it on `clientError`). */
  rawPacket?: Buffer;
}

/** node's own mapping of parser errors to statuses (lib/_http_server.js); undefined when no request was refused. */
function refusalStatus(code: string | undefined): number | undefined {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  // An early end of the stream is a client that left, not a request to answer; other parser errors are a 400.
  if (code?.startsWith('HPE_') && code !== 'HPE_INVALID_EOF_STATE') return 400;
  return undefined; // the socket itself failed (ECONNRESET, ...)
}

/** A whole request line: a method token, a space, anything, a space and an HTTP version (RFC 9112 §3). */
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ .* HTTP\/\d\.\d$/;

/**
 * The request line of the refused request, or '' when it is not known: `rawPacket` is only the chunk the parser was
 * reading, which begins with the request line when the head came in one piece, but may be the middle of a long one.
 */
function requestLineIn(rawPacket: Buffer | undefined): string {
  const line = rawPacket ? requestLineOf(rawPacket) : '';
  return REQUEST_LINE.test(line) ? line : '';
}

/**
 * Answers and logs a refused request, then closes. `answering` is true while a response of this connection is in
 * flight: a refusal written then would land inside its body, so the connection is only closed.
 */
export function answerClientError(err: ClientError, socket: Socket, answering: boolean, log: AccessLog | undefined): void {
  const status = refusalStatus(err.code);
  if (status === undefined || answering || !socket.writable) {
    socket.destroy();
    return;
  }
  log?.write({ remoteAddress: socket.remoteAddress ?? '-', timeMs: Date.now(), requestLine: requestLineIn(err.rawPacket), status, bodyBytes: 0 });
  socket.end(encodeRefusal(status), 'latin1', () => socket.destroy());
}
