import { decode, encode, isBytes, isDict, isInt, type BDict, type BInput, type BValue } from '../bencode/index.js';
import { WireError } from './errors.js';

/** BEP 10: extended message id 0 is the extension handshake. */
export const EXTENDED_HANDSHAKE_ID = 0;
/** The extension names tandem speaks and the ids it asks peers to use when sending them to it. */
export const LOCAL_EXTENSIONS = { ut_metadata: 1, ut_pex: 2 } as const;
/** BEP 9: metadata larger than this is refused (no real info dictionary comes near it). */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;

export interface ExtendedHandshake {
  /** Extension name → the id the sender wants to receive it under; 0 means disabled (BEP 10). */
  m: Map<string, number>;
  /** Client name and version. */
  v?: string;
  /** How many outstanding requests the sender queues before dropping (BEP 10 `reqq`). */
  reqq?: number;
  /** Our address as the sender sees it: 4 bytes (IPv4) or 16 (IPv6). */
  yourip?: Buffer;
  /** The sender's listening TCP port. */
  p?: number;
  /** BEP 9: size of the info dictionary in bytes. */
  metadataSize?: number;
}

function bad(text: string): WireError {
  return new WireError('WIRE_BAD_EXTENDED', text);
}

function decodeDict(payload: Buffer, what: string): BDict {
  let v: BValue;
  try {
    v = decode(payload, { maxDepth: 8, maxStringBytes: payload.length });
  } catch (err) {
    throw bad(`${what} is not bencoded: ${(err as Error).message}`);
  }
  if (!isDict(v)) throw bad(`${what} is not a dictionary`);
  return v;
}

function smallInt(v: BValue | undefined, max: number): number | undefined {
  if (!isInt(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 && n <= max ? n : undefined;
}

/** Decodes a BEP 10 handshake. Unknown keys are ignored and malformed optional ones dropped, as BEP 10 asks. */
export function decodeExtendedHandshake(payload: Buffer): ExtendedHandshake {
  const d = decodeDict(payload, 'extension handshake');
  const out: ExtendedHandshake = { m: new Map() };
  const m = d.get('m');
  if (m !== undefined) {
    if (!isDict(m)) throw bad('extension handshake "m" is not a dictionary');
    for (const [name, id] of m) {
      const n = smallInt(id, 255);
      if (n !== undefined) out.m.set(name, n);
    }
  }
  const v = d.get('v');
  if (isBytes(v) && v.length <= 256) out.v = v.toString('utf8');
  const reqq = smallInt(d.get('reqq'), 1_000_000);
  if (reqq !== undefined) out.reqq = reqq;
  const yourip = d.get('yourip');
  if (isBytes(yourip) && (yourip.length === 4 || yourip.length === 16)) out.yourip = Buffer.from(yourip);
  const p = smallInt(d.get('p'), 65535);
  if (p !== undefined && p > 0) out.p = p;
  const size = smallInt(d.get('metadata_size'), Number.MAX_SAFE_INTEGER);
  if (size !== undefined) {
    if (size === 0 || size > MAX_METADATA_BYTES) throw bad(`metadata_size ${size} is out of range (1 to ${MAX_METADATA_BYTES})`);
    out.metadataSize = size;
  }
  return out;
}

export function encodeExtendedHandshake(h: ExtendedHandshake): Buffer {
  // A Map, not an object: its keys are written byte for byte as the decoder read them (latin1), where an object's
  // would be re-encoded as UTF-8 (found by `npm run fuzz`: a name with a byte over 0x7f came back changed), and a
  // name such as "__proto__" stays a name.
  const m = new Map<string, BInput>(h.m);
  return encode({
    m,
    v: h.v,
    reqq: h.reqq,
    yourip: h.yourip,
    p: h.p,
    metadata_size: h.metadataSize,
  });
}

export { decodeDict as decodeExtendedDict };
