import { TandemError } from '../util/errors.js';

export type BencodeErrorCode =
  | 'BENCODE_TRUNCATED' // input ended inside a value
  | 'BENCODE_UNEXPECTED_BYTE' // a byte that cannot start or continue a value here
  | 'BENCODE_BAD_INTEGER' // empty, leading zero, -0, or too many digits
  | 'BENCODE_BAD_LENGTH' // a string length that is malformed or over the limit
  | 'BENCODE_UNSORTED_KEYS' // dictionary keys out of order or repeated
  | 'BENCODE_TOO_DEEP' // nesting over the depth limit
  | 'BENCODE_TRAILING_BYTES' // bytes after the top-level value
  | 'BENCODE_UNENCODABLE'; // a value the encoder cannot represent

/** Every problem the decoder and encoder find; `offset` is where in the input it was seen. */
export class BencodeError extends TandemError {
  readonly offset: number;

  constructor(code: BencodeErrorCode, message: string, offset = -1) {
    super(code, offset >= 0 ? `${message} at byte ${offset}` : message, 'input');
    this.name = 'BencodeError';
    this.offset = offset;
  }
}
