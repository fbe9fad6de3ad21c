/**
 * Bencode (BEP 3): a strict decoder that reports where each dictionary stood in its input, and an encoder that
 * sorts keys by their raw bytes.
 *
 * @example
 *   const v = decode(Buffer.from('d3:cow3:mooe'));   // Map { 'cow' => <Buffer 6d 6f 6f> }
 *   encode({ cow: 'moo' });                          // <Buffer 64 33 3a ...>
 */
export { decode, decodePrefix, dictSpan, DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode.js';
export { encode } from './encode.js';
export { BencodeError, type BencodeErrorCode } from './errors.js';
export { type BValue, type BDict, type BInput, isDict, isList, isBytes, isInt, dictKey, keyBytes } from './types.js';
