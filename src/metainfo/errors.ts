import { TandemError, type ErrorKind } from '../util/errors.js';

export type MetainfoErrorCode =
  | 'METAINFO_INVALID' // a .torrent whose contents break BEP 3, 12, 19, 47 or 52; the message names the field
  | 'MAGNET_INVALID' // a magnet link that cannot be understood
  | 'CREATE_INPUT' // the path given to `create` cannot be made into a torrent
  | 'CREATE_IO'; // reading a file failed while hashing (the message names the file)

export class MetainfoError extends TandemError {
  constructor(code: MetainfoErrorCode, message: string, kind: ErrorKind = 'input', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'MetainfoError';
  }
}

/** A torrent that breaks a rule; the message is the one line a user sees. */
export function invalid(message: string): MetainfoError {
  return new MetainfoError('METAINFO_INVALID', message);
}
