import { TandemError, type ErrorKind } from '../util/errors.js';

export type NodeErrorCode =
  /** The state database cannot be opened, is not SQLite, is corrupt, or is from a newer tandem. */
  | 'NODE_STATE_CORRUPT'
  /** The state directory cannot be created or written. */
  | 'NODE_STATE_DIR'
  /** No torrent with that id or info-hash prefix (or a prefix that names several). */
  | 'NODE_NOT_FOUND'
  /** What was given to add is neither a magnet, a URL, nor a readable .torrent. */
  | 'NODE_BAD_SOURCE'
  /** An argument of the API is missing, of the wrong type, or out of range. */
  | 'NODE_BAD_ARGUMENT'
  /** A file index names no file of the torrent. */
  | 'NODE_NO_SUCH_FILE'
  /** A server of the node could not start (port in use, bad folder). */
  | 'NODE_SERVER'
  /** The node is stopping or stopped. */
  | 'NODE_STOPPED';

export class NodeError extends TandemError {
  declare readonly code: NodeErrorCode;

  constructor(code: NodeErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'NodeError';
  }
}
