import { TandemError } from '../util/errors.js';

export type WireErrorCode =
  | 'WIRE_BAD_HANDSHAKE' // the 68-byte handshake has the wrong protocol string or length
  | 'WIRE_TOO_LONG' // a message's length prefix is over the limit for its kind
  | 'WIRE_BAD_LENGTH' // a message's payload has the wrong size for its id (or a bitfield not the torrent's size)
  | 'WIRE_UNKNOWN_ID' // a message id that no supported extension defines
  | 'WIRE_BAD_VALUE' // a field out of range: piece index, block offset, block length, spare bits set
  | 'WIRE_BAD_EXTENDED'; // a BEP 10/9/11 payload that is not the bencoded shape the BEP requires

/** A peer sent bytes that break the peer-wire protocol; the connection drops it with this as the logged reason. */
export class WireError extends TandemError {
  constructor(code: WireErrorCode, message: string) {
    super(code, message, 'input');
    this.name = 'WireError';
  }
}
