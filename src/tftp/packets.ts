/**
 * TFTP packets, RFC 1350 §5 with option extension (RFC 2347): bytes to a typed union and back. Pure: no sockets.
 * Every length is bounded before anything is allocated.
 */
import { TftpError } from './errors.js';

export const OP = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 §5 error codes, plus 8 from RFC 2347. */
export const ERR = {
  UNDEFINED: 0,
  NOT_FOUND: 1,
  ACCESS: 2,
  DISK_FULL: 3,
  ILLEGAL: 4,
  UNKNOWN_TID: 5,
  EXISTS: 6,
  NO_USER: 7,
  OPTION: 8,
} as const;

export type TransferMode = 'octet' | 'netascii';

export type TftpPacket =
  | { op: 'rrq' | 'wrq'; filename: string; mode: TransferMode; options: Map<string, string> }
  | { op: 'data'; block: number; data: Buffer }
  | { op: 'ack'; block: number }
  | { op: 'error'; code: number; message: string }
  | { op: 'oack'; options: Map<string, string> };

/** RFC 2348: DATA carries at most 65464 bytes; the largest packet is that plus 4 bytes of header. */
export const MAX_PACKET_BYTES = 65468;
const MAX_STRING_BYTES = 1024;
const MAX_OPTIONS = 16;

const malformed = (why: string): TftpError => new TftpError('TFTP_MALFORMED', `malformed TFTP packet: ${why}`, 'input');

/** Reads NUL-terminated strings from `buf` starting at `at`; every one must be terminated (RFC 1350 §5). */
function readStrings(buf: Buffer, at: number, max: number): string[] {
  const out: string[] = [];
  let pos = at;
  while (pos < buf.length) {
    if (out.length >= max) throw malformed('too many fields');
    const nul = buf.indexOf(0, pos);
    if (nul < 0) throw malformed('a string is not NUL-terminated');
    if (nul - pos > MAX_STRING_BYTES) throw malformed('a string is too long');
    out.push(buf.toString('latin1', pos, nul));
    pos = nul + 1;
  }
  return out;
}

function readOptions(fields: string[]): Map<string, string> {
  if (fields.length % 2 !== 0) throw malformed('an option has no value');
  const options = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!.toLowerCase(); // RFC 2347: option names are case-insensitive
    if (name === '') throw malformed('an empty option name');
    if (options.has(name)) throw malformed(`option ${name} appears twice`);
    options.set(name, fields[i + 1]!);
  }
  return options;
}

export function decodePacket(buf: Buffer): TftpPacket {
  if (buf.length < 2) throw malformed('shorter than an opcode');
  if (buf.length > MAX_PACKET_BYTES) throw malformed('longer than the largest block allows');
  const op = buf.readUInt16BE(0);
  switch (op) {
    case OP.RRQ:
    case OP.WRQ: {
      const fields = readStrings(buf, 2, 2 + MAX_OPTIONS * 2);
      if (fields.length < 2) throw malformed('a request needs a file name and a mode');
      const [filename, rawMode] = fields as [string, string];
      if (filename === '') throw malformed('an empty file name');
      const mode = rawMode.toLowerCase();
      // RFC 1350 §1: "mail" mode is obsolete; we refuse it like every modern server.
      if (mode !== 'octet' && mode !== 'netascii') throw malformed(`unsupported mode "${rawMode.slice(0, 32)}"`);
      return { op: op === OP.RRQ ? 'rrq' : 'wrq', filename, mode, options: readOptions(fields.slice(2)) };
    }
    case OP.DATA:
      if (buf.length < 4) throw malformed('DATA without a block number');
      return { op: 'data', block: buf.readUInt16BE(2), data: buf.subarray(4) };
    case OP.ACK:
      if (buf.length !== 4) throw malformed('ACK must be 4 bytes');
      return { op: 'ack', block: buf.readUInt16BE(2) };
    case OP.ERROR: {
      if (buf.length < 4) throw malformed('ERROR without a code');
      // Some implementations omit the final NUL; the text is informational, so take what is there.
      const end = buf.indexOf(0, 4);
      const message = buf.toString('latin1', 4, Math.min(end < 0 ? buf.length : end, 4 + MAX_STRING_BYTES));
      return { op: 'error', code: buf.readUInt16BE(2), message };
    }
    case OP.OACK:
      return { op: 'oack', options: readOptions(readStrings(buf, 2, MAX_OPTIONS * 2)) };
    default:
      throw malformed(`unknown opcode ${op}`);
  }
}

function strings(op: number, values: string[]): Buffer {
  const parts = values.map((v) => Buffer.from(v + '\0', 'latin1'));
  const head = Buffer.alloc(2);
  head.writeUInt16BE(op, 0);
  return Buffer.concat([head, ...parts]);
}

const optionFields = (options: Map<string, string>): string[] => [...options].flatMap(([k, v]) => [k, v]);

export function encodeRequest(op: 'rrq' | 'wrq', filename: string, mode: TransferMode, options = new Map<string, string>()): Buffer {
  return strings(op === 'rrq' ? OP.RRQ : OP.WRQ, [filename, mode, ...optionFields(options)]);
}

export function encodeOack(options: Map<string, string>): Buffer {
  return strings(OP.OACK, optionFields(options));
}

export function encodeError(code: number, message: string): Buffer {
  const text = Buffer.from(message.slice(0, 200) + '\0', 'latin1');
  const buf = Buffer.alloc(4 + text.length);
  buf.writeUInt16BE(OP.ERROR, 0);
  buf.writeUInt16BE(code, 2);
  text.copy(buf, 4);
  return buf;
}

export function encodeAck(block: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(OP.ACK, 0);
  buf.writeUInt16BE(block & 0xffff, 2);
  return buf;
}

/** The 4-byte DATA header; the payload is sent beside it (scatter-gather) so blocks are never copied. */
export function dataHeader(block: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf.writeUInt16BE(OP.DATA, 0);
  buf.writeUInt16BE(block & 0xffff, 2);
  return buf;
}

export function encodeData(block: number, data: Buffer): Buffer {
  return Buffer.concat([dataHeader(block), data]);
}
