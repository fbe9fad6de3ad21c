import { BencodeError } from './errors.js';
import type { BInput } from './types.js';

/**
 * Encodes a value. Keys are sorted by their raw bytes, as BEP 3 requires. Strings are written as UTF-8; a `Map`
 * key is taken as latin1 (one char per byte, as the decoder produces), a plain-object key as UTF-8 text.
 * Object properties that are `undefined` are left out, so optional fields can be written inline.
 */
export function encode(value: BInput): Buffer {
  const chunks: Buffer[] = [];
  write(value, chunks, 0);
  return Buffer.concat(chunks);
}

const MAX_DEPTH = 512;

function write(value: BInput, out: Buffer[], depth: number): void {
  if (depth > MAX_DEPTH) throw new BencodeError('BENCODE_TOO_DEEP', 'value nested too deeply to encode');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError('BENCODE_UNENCODABLE', `cannot encode the number ${value}`);
    out.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (typeof value === 'bigint') {
    out.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (typeof value === 'string') {
    writeBytes(Buffer.from(value, 'utf8'), out);
  } else if (value instanceof Uint8Array) {
    writeBytes(value, out);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('l'));
    for (const item of value) write(item, out, depth + 1);
    out.push(Buffer.from('e'));
  } else if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [Buffer.from(k, 'latin1'), v] as const);
    writeDict(entries, out, depth);
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter((e): e is [string, BInput] => e[1] !== undefined)
      .map(([k, v]) => [Buffer.from(k, 'utf8'), v] as const);
    writeDict(entries, out, depth);
  } else {
    throw new BencodeError('BENCODE_UNENCODABLE', `cannot encode a value of type ${typeof value}`);
  }
}

function writeBytes(bytes: Uint8Array, out: Buffer[]): void {
  out.push(Buffer.from(`${bytes.length}:`, 'latin1'));
  out.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function writeDict(entries: (readonly [Buffer, BInput])[], out: Buffer[], depth: number): void {
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  out.push(Buffer.from('d'));
  for (let i = 0; i < entries.length; i++) {
    const [key, v] = entries[i]!;
    if (i > 0 && Buffer.compare(entries[i - 1]![0], key) === 0) {
      throw new BencodeError('BENCODE_UNENCODABLE', `repeated dictionary key ${key.toString('latin1')}`);
    }
    writeBytes(key, out);
    write(v, out, depth + 1);
  }
  out.push(Buffer.from('e'));
}
