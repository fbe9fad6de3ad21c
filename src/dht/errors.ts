import { TandemError, type ErrorKind } from '../util/errors.js';

export type DhtErrorCode =
  | 'KRPC_MALFORMED' // a datagram that is not a bencoded dictionary or breaks the KRPC shape (BEP 5)
  | 'KRPC_OVERSIZED' // a datagram over the size limit, dropped before decoding
  | 'KRPC_BAD_FIELD' // a field with the wrong type or length (node id not 20 bytes, port out of range...)
  | 'KRPC_REMOTE_ERROR' // the remote node answered our query with a KRPC error (201-204)
  | 'DHT_TIMEOUT' // a query got no answer within queryTimeoutMs
  | 'DHT_ABORTED' // the operation was aborted by its signal or by stop()
  | 'DHT_NOT_STARTED' // an operation that needs a running node was called before start() or after stop()
  | 'DHT_BAD_ADDRESS' // a HOST:PORT that cannot be parsed
  | 'DHT_STATE_FILE' // the saved routing table cannot be read or written
  | 'DHT_READ_ONLY' // announce called on a read-only node (BEP 43 nodes take no part in storage)
  | 'DHT_TOO_MANY_QUERIES' // the cap on queries in flight was reached
  | 'DHT_PUBLIC_FORBIDDEN'; // TANDEM_NO_PUBLIC_DHT=1 (tests) and the node would reach past loopback

export class DhtError extends TandemError {
  constructor(code: DhtErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'DhtError';
  }
}

/** A datagram that breaks the KRPC rules; always an input error. */
export function malformed(message: string, code: DhtErrorCode = 'KRPC_MALFORMED'): DhtError {
  return new DhtError(code, message, 'input');
}
