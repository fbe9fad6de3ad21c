import { BencodeError } from './errors.js';
import type { BDict, BValue } from './types.js';

/** Limits that keep a hostile input from costing more than its own size. */
export interface DecodeLimits {
  /** Deepest nesting of lists and dictionaries accepted. */
  maxDepth: number;
  /** Longest byte string accepted, in bytes. */
  maxStringBytes: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxDepth: 128, maxStringBytes: 256 * 1024 * 1024 };

// The byte span [start, end) of every decoded dictionary in its input: the info hash is the hash of the info
// dictionary's bytes exactly as they stand in the file, not of a re-encoding.
const spans = new WeakMap<BDict, { start: number; end: number }>();

/** Where a dictionary returned by `decode` stood in its input. */
export function dictSpan(dict: BDict): { start: number; end: number } | undefined {
  return spans.get(dict);
}

const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const E = 0x65;
const I = 0x69;
const L = 0x6c;
const D = 0x64;
// 2^63 has 19 digits; anything longer is not an integer any real protocol sends.
const MAX_INT_DIGITS = 20;

/** Decodes one bencoded value that fills `input` exactly. Throws `BencodeError` and nothing else. */
export function decode(input: Uint8Array, limits: Partial<DecodeLimits> = {}): BValue {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const decoder = new Decoder(buf, { ...DEFAULT_DECODE_LIMITS, ...limits });
  const value = decoder.value(0);
  if (decoder.pos !== buf.length) throw new BencodeError('BENCODE_TRAILING_BYTES', 'trailing bytes after the value', decoder.pos);
  return value;
}

/** Decodes one value at the start of `input` and says where it ended (for messages followed by raw data, BEP 9). */
export function decodePrefix(input: Buffer, limits: Partial<DecodeLimits> = {}): { value: BValue; end: number } {
  const decoder = new Decoder(input, { ...DEFAULT_DECODE_LIMITS, ...limits });
  const value = decoder.value(0);
  return { value, end: decoder.pos };
}

class Decoder {
  pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly limits: DecodeLimits,
  ) {}

  value(depth: number): BValue {
    const b = this.peek();
    if (b === I) return this.integer();
    if (b >= ZERO && b <= NINE) return this.bytes();
    if (depth >= this.limits.maxDepth) throw new BencodeError('BENCODE_TOO_DEEP', `nesting deeper than ${this.limits.maxDepth}`, this.pos);
    if (b === L) return this.list(depth);
    if (b === D) return this.dict(depth);
    throw new BencodeError('BENCODE_UNEXPECTED_BYTE', `unexpected byte 0x${b.toString(16).padStart(2, '0')}`, this.pos);
  }

  private peek(): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new BencodeError('BENCODE_TRUNCATED', 'input ends inside a value', this.pos);
    return b;
  }

  private integer(): number | bigint {
    const start = this.pos;
    this.pos++; // 'i'
    const end = this.buf.indexOf(E, this.pos);
    if (end < 0) throw new BencodeError('BENCODE_TRUNCATED', 'integer without its closing e', start);
    const negative = this.buf[this.pos] === MINUS;
    const digitsStart = negative ? this.pos + 1 : this.pos;
    const digits = end - digitsStart;
    if (digits === 0 || digits > MAX_INT_DIGITS) throw new BencodeError('BENCODE_BAD_INTEGER', 'integer with no digits or too many', start);
    for (let p = digitsStart; p < end; p++) {
      const c = this.buf[p]!;
      if (c < ZERO || c > NINE) throw new BencodeError('BENCODE_BAD_INTEGER', 'integer with a non-digit', p);
    }
    if (this.buf[digitsStart] === ZERO && (digits > 1 || negative)) {
      throw new BencodeError('BENCODE_BAD_INTEGER', negative ? 'integer -0' : 'integer with a leading zero', start);
    }
    const text = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }

  private length(): number {
    const start = this.pos;
    const colon = this.buf.indexOf(COLON, start);
    if (colon < 0) throw new BencodeError('BENCODE_TRUNCATED', 'string length without its colon', start);
    const digits = colon - start;
    if (digits === 0 || digits > 12) throw new BencodeError('BENCODE_BAD_LENGTH', 'string length with no digits or too many', start);
    let n = 0;
    for (let p = start; p < colon; p++) {
      const c = this.buf[p]!;
      if (c < ZERO || c > NINE) throw new BencodeError('BENCODE_BAD_LENGTH', 'string length with a non-digit', p);
      n = n * 10 + (c - ZERO);
    }
    if (digits > 1 && this.buf[start] === ZERO) throw new BencodeError('BENCODE_BAD_LENGTH', 'string length with a leading zero', start);
    if (n > this.limits.maxStringBytes) throw new BencodeError('BENCODE_BAD_LENGTH', `string of ${n} bytes is over the limit of ${this.limits.maxStringBytes}`, start);
    this.pos = colon + 1;
    if (this.pos + n > this.buf.length) throw new BencodeError('BENCODE_TRUNCATED', `string of ${n} bytes runs past the end`, start);
    return n;
  }

  private bytes(): Buffer {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private list(depth: number): BValue[] {
    this.pos++; // 'l'
    const out: BValue[] = [];
    while (this.peek() !== E) out.push(this.value(depth + 1));
    this.pos++;
    return out;
  }

  private dict(depth: number): BDict {
    const start = this.pos;
    this.pos++; // 'd'
    const out: BDict = new Map();
    let previous: string | undefined;
    while (this.peek() !== E) {
      const keyAt = this.pos;
      const b = this.peek();
      if (b < ZERO || b > NINE) throw new BencodeError('BENCODE_UNEXPECTED_BYTE', 'dictionary key is not a string', keyAt);
      const n = this.length();
      const key = this.buf.toString('latin1', this.pos, this.pos + n);
      this.pos += n;
      // latin1 strings compare char by char, which is byte by byte: the order BEP 3 asks for.
      if (previous !== undefined && key <= previous) {
        throw new BencodeError('BENCODE_UNSORTED_KEYS', key === previous ? 'repeated dictionary key' : 'dictionary keys out of order', keyAt);
      }
      previous = key;
      out.set(key, this.value(depth + 1));
    }
    this.pos++;
    spans.set(out, { start, end: this.pos });
    return out;
  }
}
