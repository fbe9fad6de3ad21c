import { Bitfield } from './bitfield.js';
import { WireError } from './errors.js';

/** BEP 3 and BEP 6 message ids; BEP 10 adds `extended`. */
export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 0x0d,
  haveAll: 0x0e,
  haveNone: 0x0f,
  reject: 0x10,
  allowedFast: 0x11,
  extended: 20,
} as const;

/** BEP 3 (and every client since): a block is at most 16 KiB; larger requests are dropped. */
export const MAX_BLOCK_BYTES = 16 * 1024;
/** BEP 10 payloads (handshake, ut_metadata with its 16 KiB piece, ut_pex): more than this is hostile. */
export const MAX_EXTENDED_BYTES = 128 * 1024;

export type Message =
  | { type: 'keepAlive' }
  | { type: 'choke' | 'unchoke' | 'interested' | 'notInterested' | 'haveAll' | 'haveNone' }
  | { type: 'have' | 'suggest' | 'allowedFast'; index: number }
  | { type: 'bitfield'; bytes: Buffer }
  | { type: 'request' | 'cancel' | 'reject'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Buffer }
  | { type: 'port'; port: number }
  | { type: 'extended'; id: number; payload: Buffer };

/** What a decoder needs to know of the torrent to check lengths; `pieceCount` is unknown before metadata (BEP 9). */
export interface WireLimits {
  pieceCount?: number;
}

const SIMPLE = new Map<number, Message['type']>([
  [MessageId.choke, 'choke'],
  [MessageId.unchoke, 'unchoke'],
  [MessageId.interested, 'interested'],
  [MessageId.notInterested, 'notInterested'],
  [MessageId.haveAll, 'haveAll'],
  [MessageId.haveNone, 'haveNone'],
]);

/**
 * The most bytes a frame (length prefix excluded) may announce before any of it is buffered: a piece message with
 * a full block, an extended message, or the torrent's bitfield, whichever is largest.
 */
export function maxFrameBytes(limits: WireLimits): number {
  const bitfield = limits.pieceCount === undefined ? 1 + Bitfield.byteLength(MAX_UNKNOWN_PIECES) : 1 + Bitfield.byteLength(limits.pieceCount);
  return Math.max(9 + MAX_BLOCK_BYTES, 2 + MAX_EXTENDED_BYTES, bitfield);
}

/** Before metadata arrives, a bitfield is kept raw and checked once the piece count is known. */
export const MAX_UNKNOWN_PIECES = 8 * 1024 * 1024;

function bad(code: 'WIRE_BAD_LENGTH' | 'WIRE_BAD_VALUE', text: string): WireError {
  return new WireError(code, text);
}

function checkIndex(index: number, limits: WireLimits, what: string): number {
  if (limits.pieceCount !== undefined && index >= limits.pieceCount) throw bad('WIRE_BAD_VALUE', `${what} names piece ${index} of ${limits.pieceCount}`);
  return index;
}

/**
 * Decodes one frame's body (the bytes after the 4-byte length prefix). A zero-length body is a keep-alive.
 * Block payloads are views into `body`, never copies.
 */
export function decodeMessage(body: Buffer, limits: WireLimits = {}): Message {
  if (body.length === 0) return { type: 'keepAlive' };
  const id = body[0]!;
  const n = body.length - 1;
  const simple = SIMPLE.get(id);
  if (simple) {
    if (n !== 0) throw bad('WIRE_BAD_LENGTH', `${simple} carries ${n} bytes, not 0`);
    return { type: simple } as Message;
  }
  switch (id) {
    case MessageId.have:
    case MessageId.suggest:
    case MessageId.allowedFast: {
      const type = id === MessageId.have ? 'have' : id === MessageId.suggest ? 'suggest' : 'allowedFast';
      if (n !== 4) throw bad('WIRE_BAD_LENGTH', `${type} carries ${n} bytes, not 4`);
      return { type, index: checkIndex(body.readUInt32BE(1), limits, type) };
    }
    case MessageId.bitfield: {
      if (limits.pieceCount !== undefined) {
        const want = Bitfield.byteLength(limits.pieceCount);
        if (n !== want) throw bad('WIRE_BAD_LENGTH', `bitfield is ${n} bytes, the torrent needs ${want}`);
        if (!Bitfield.spareBitsClear(body.subarray(1), limits.pieceCount)) throw bad('WIRE_BAD_VALUE', 'bitfield has spare bits set');
      }
      return { type: 'bitfield', bytes: body.subarray(1) };
    }
    case MessageId.request:
    case MessageId.cancel:
    case MessageId.reject: {
      const type = id === MessageId.request ? 'request' : id === MessageId.cancel ? 'cancel' : 'reject';
      if (n !== 12) throw bad('WIRE_BAD_LENGTH', `${type} carries ${n} bytes, not 12`);
      const length = body.readUInt32BE(9);
      if (length === 0 || length > MAX_BLOCK_BYTES) throw bad('WIRE_BAD_VALUE', `${type} for ${length} bytes; a block is 1 to ${MAX_BLOCK_BYTES}`);
      return { type, index: checkIndex(body.readUInt32BE(1), limits, type), begin: body.readUInt32BE(5), length };
    }
    case MessageId.piece: {
      if (n < 8) throw bad('WIRE_BAD_LENGTH', `piece carries ${n} bytes, fewer than 8`);
      if (n - 8 > MAX_BLOCK_BYTES) throw bad('WIRE_BAD_LENGTH', `piece block of ${n - 8} bytes; a block is at most ${MAX_BLOCK_BYTES}`);
      return { type: 'piece', index: checkIndex(body.readUInt32BE(1), limits, 'piece'), begin: body.readUInt32BE(5), block: body.subarray(9) };
    }
    case MessageId.port: {
      if (n !== 2) throw bad('WIRE_BAD_LENGTH', `port carries ${n} bytes, not 2`);
      return { type: 'port', port: body.readUInt16BE(1) };
    }
    case MessageId.extended: {
      if (n < 1) throw bad('WIRE_BAD_LENGTH', 'extended message without its id');
      if (n - 1 > MAX_EXTENDED_BYTES) throw bad('WIRE_BAD_LENGTH', `extended message of ${n - 1} bytes; limit ${MAX_EXTENDED_BYTES}`);
      return { type: 'extended', id: body[1]!, payload: body.subarray(2) };
    }
    default:
      throw new WireError('WIRE_UNKNOWN_ID', `unknown message id ${id}`);
  }
}

function frame(id: number, payloadBytes: number): Buffer {
  const out = Buffer.allocUnsafe(5 + payloadBytes);
  out.writeUInt32BE(1 + payloadBytes, 0);
  out[4] = id;
  return out;
}

const KEEP_ALIVE = Buffer.alloc(4);

/** Encodes a message with its 4-byte length prefix. For `piece`, prefer `encodePieceHeader` and write the block after it. */
export function encodeMessage(m: Message): Buffer {
  switch (m.type) {
    case 'keepAlive':
      return KEEP_ALIVE;
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'notInterested':
    case 'haveAll':
    case 'haveNone':
      return frame(MessageId[m.type], 0);
    case 'have':
    case 'suggest':
    case 'allowedFast': {
      const out = frame(MessageId[m.type], 4);
      out.writeUInt32BE(m.index, 5);
      return out;
    }
    case 'bitfield': {
      const out = frame(MessageId.bitfield, m.bytes.length);
      m.bytes.copy(out, 5);
      return out;
    }
    case 'request':
    case 'cancel':
    case 'reject': {
      const out = frame(MessageId[m.type], 12);
      out.writeUInt32BE(m.index, 5);
      out.writeUInt32BE(m.begin, 9);
      out.writeUInt32BE(m.length, 13);
      return out;
    }
    case 'piece':
      return Buffer.concat([encodePieceHeader(m.index, m.begin, m.block.length), m.block]);
    case 'port': {
      const out = frame(MessageId.port, 2);
      out.writeUInt16BE(m.port, 5);
      return out;
    }
    case 'extended': {
      const out = frame(MessageId.extended, 1 + m.payload.length);
      out[5] = m.id;
      m.payload.copy(out, 6);
      return out;
    }
  }
}

/** The 13 bytes before a block, so the block itself is written to the socket without a copy. */
export function encodePieceHeader(index: number, begin: number, blockBytes: number): Buffer {
  const out = frame(MessageId.piece, 8 + blockBytes).subarray(0, 13);
  out.writeUInt32BE(index, 5);
  out.writeUInt32BE(begin, 9);
  return out;
}
