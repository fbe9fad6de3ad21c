import { decodePrefix, encode, isInt } from '../bencode/index.js';
import { MAX_METADATA_BYTES } from './bep10-extended.js';
import { WireError } from './errors.js';

/** BEP 9: metadata travels in 16 KiB pieces; only the last may be shorter. */
export const METADATA_PIECE_BYTES = 16 * 1024;

export type MetadataMessage =
  | { type: 'request'; piece: number }
  | { type: 'data'; piece: number; totalSize: number; data: Buffer }
  | { type: 'reject'; piece: number };

const MSG_TYPES = ['request', 'data', 'reject'] as const;

function bad(text: string): WireError {
  return new WireError('WIRE_BAD_EXTENDED', `ut_metadata: ${text}`);
}

export function metadataPieceCount(sizeBytes: number): number {
  return Math.ceil(sizeBytes / METADATA_PIECE_BYTES);
}

/** Decodes a ut_metadata message: a bencoded dictionary, followed (for `data`) by the piece's bytes. */
export function decodeMetadataMessage(payload: Buffer): MetadataMessage {
  let parsed;
  try {
    parsed = decodePrefix(payload, { maxDepth: 4, maxStringBytes: 1024 });
  } catch (err) {
    throw bad(`not bencoded: ${(err as Error).message}`);
  }
  const dict = parsed.value;
  if (!(dict instanceof Map)) throw bad('not a dictionary');
  const msgType = dict.get('msg_type');
  const piece = dict.get('piece');
  if (!isInt(msgType) || !isInt(piece)) throw bad('msg_type or piece missing');
  const pieceN = Number(piece);
  const type = MSG_TYPES[Number(msgType)];
  if (type === undefined) throw bad(`msg_type ${String(msgType)} unknown`);
  if (!Number.isSafeInteger(pieceN) || pieceN < 0 || pieceN >= metadataPieceCount(MAX_METADATA_BYTES)) throw bad(`piece ${String(piece)} out of range`);
  if (type !== 'data') {
    if (parsed.end !== payload.length) throw bad(`${type} has trailing bytes`);
    return { type, piece: pieceN };
  }
  const totalSize = dict.get('total_size');
  const total = isInt(totalSize) ? Number(totalSize) : NaN;
  if (!Number.isSafeInteger(total) || total <= 0 || total > MAX_METADATA_BYTES) throw bad(`total_size ${String(totalSize)} out of range`);
  const data = payload.subarray(parsed.end);
  const count = metadataPieceCount(total);
  if (pieceN >= count) throw bad(`piece ${pieceN} beyond ${count} pieces`);
  const want = pieceN === count - 1 ? total - pieceN * METADATA_PIECE_BYTES : METADATA_PIECE_BYTES;
  if (data.length !== want) throw bad(`piece ${pieceN} carries ${data.length} bytes, not ${want}`);
  return { type, piece: pieceN, totalSize: total, data };
}

export function encodeMetadataMessage(m: MetadataMessage): Buffer {
  const msgType = MSG_TYPES.indexOf(m.type);
  if (m.type === 'data') return Buffer.concat([encode({ msg_type: msgType, piece: m.piece, total_size: m.totalSize }), m.data]);
  return encode({ msg_type: msgType, piece: m.piece });
}
