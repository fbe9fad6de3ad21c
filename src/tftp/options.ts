/**
 * Option negotiation: blksize (RFC 2348), timeout and tsize (RFC 2349), windowsize (RFC 7440), framed by the
 * option extension of RFC 2347. Pure functions from the options asked for to the options granted.
 */
import { TFTP_DEFAULTS } from './defaults.js';
import { TftpError } from './errors.js';

export interface TransferOptions {
  blockSizeBytes: number;
  windowSize: number;
  timeoutMs: number;
  /** The transfer size, when known (tsize). */
  sizeBytes?: number;
}

export const BLKSIZE_MIN = 8; // RFC 2348 §2
export const BLKSIZE_MAX = 65464; // RFC 2348 §2
export const TIMEOUT_MIN_S = 1; // RFC 2349 §2
export const TIMEOUT_MAX_S = 255;
export const WINDOW_MIN = 1; // RFC 7440 §3
export const WINDOW_MAX = 65535;

const int = (v: string | undefined): number | undefined => (v !== undefined && /^\d{1,12}$/.test(v) ? Number(v) : undefined);
/** A tsize may name any file size: up to 16 digits, still exact as a number, so a huge write is refused as too large. */
const size = (v: string | undefined): number | undefined => (v !== undefined && /^\d{1,16}$/.test(v) ? Number(v) : undefined);

export interface ServerLimits {
  maxBlockSizeBytes: number;
  maxWindowSize: number;
  defaultTimeoutMs: number;
}

/**
 * The server's side (RFC 2347 §3): unknown or malformed options are left out of the OACK (the client then uses
 * the default); a blksize or windowsize above our limit is granted at the limit. `fileSizeBytes` answers a tsize
 * of a read request; for a write request `tsize` is the client's announcement, returned as `sizeBytes`.
 */
export function negotiateServer(requested: Map<string, string>, isRead: boolean, fileSizeBytes: number | undefined, limits: ServerLimits): { oack: Map<string, string>; options: TransferOptions } {
  const oack = new Map<string, string>();
  const options: TransferOptions = { blockSizeBytes: TFTP_DEFAULTS.blockSizeBytes, windowSize: 1, timeoutMs: limits.defaultTimeoutMs };
  const blk = int(requested.get('blksize'));
  if (blk !== undefined && blk >= BLKSIZE_MIN) {
    options.blockSizeBytes = Math.min(blk, BLKSIZE_MAX, limits.maxBlockSizeBytes);
    oack.set('blksize', String(options.blockSizeBytes));
  }
  const timeout = int(requested.get('timeout'));
  if (timeout !== undefined && timeout >= TIMEOUT_MIN_S && timeout <= TIMEOUT_MAX_S) {
    // RFC 2349 §2: the server either accepts the timeout as asked or leaves it out of the OACK.
    options.timeoutMs = timeout * 1000;
    oack.set('timeout', String(timeout));
  }
  const tsize = size(requested.get('tsize'));
  if (tsize !== undefined) {
    if (isRead && fileSizeBytes !== undefined) {
      options.sizeBytes = fileSizeBytes;
      oack.set('tsize', String(fileSizeBytes));
    } else if (!isRead) {
      options.sizeBytes = tsize;
      oack.set('tsize', String(tsize));
    }
  }
  const win = int(requested.get('windowsize'));
  if (win !== undefined && win >= WINDOW_MIN && win <= WINDOW_MAX) {
    options.windowSize = Math.min(win, limits.maxWindowSize);
    oack.set('windowsize', String(options.windowSize));
  }
  return { oack, options };
}

/**
 * The client's side: checks an OACK against what was asked (RFC 2347 §3: the server may not add options, and
 * RFC 2348 / 7440: may not grant more than asked). Throws TFTP_OPTION; the caller answers with error code 8.
 */
export function acceptOack(asked: Map<string, string>, oack: Map<string, string>, defaultTimeoutMs: number): TransferOptions {
  const options: TransferOptions = { blockSizeBytes: TFTP_DEFAULTS.blockSizeBytes, windowSize: 1, timeoutMs: defaultTimeoutMs };
  const bad = (why: string): TftpError => new TftpError('TFTP_OPTION', `the server's option answer is invalid: ${why}`);
  for (const [name, value] of oack) {
    if (!asked.has(name)) throw bad(`it added ${name}, which was not asked for`);
    const n = name === 'tsize' ? size(value) : int(value);
    if (n === undefined) throw bad(`${name}=${value.slice(0, 20)} is not a number`);
    if (name === 'blksize') {
      if (n < BLKSIZE_MIN || n > Number(asked.get(name))) throw bad(`blksize ${n} outside ${BLKSIZE_MIN}..${asked.get(name)}`);
      options.blockSizeBytes = n;
    } else if (name === 'windowsize') {
      if (n < WINDOW_MIN || n > Number(asked.get(name))) throw bad(`windowsize ${n} outside 1..${asked.get(name)}`);
      options.windowSize = n;
    } else if (name === 'timeout') {
      if (n !== Number(asked.get(name))) throw bad(`timeout ${n} differs from the ${asked.get(name)} asked`);
      options.timeoutMs = n * 1000;
    } else if (name === 'tsize') {
      options.sizeBytes = n;
    }
  }
  return options;
}
