import { TandemError, type ErrorKind } from '../util/errors.js';

export type LsdErrorCode =
  | 'LSD_MALFORMED' // a datagram that is not a BEP 14 announce (bad start line, header, port or info hash)
  | 'LSD_SOCKET'; // the multicast socket could not be bound or joined to the group

export class LsdError extends TandemError {
  constructor(code: LsdErrorCode, message: string, kind: ErrorKind = 'input', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'LsdError';
  }
}
