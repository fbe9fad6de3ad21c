import { TandemError, type ErrorKind } from '../util/errors.js';

/** Stable codes of `tandem compute` errors (STYLE.md 12). */
export type ComputeErrorCode =
  /** A scheduler request or reply is not valid JSON of the expected shape. */
  | 'COMPUTE_BAD_REQUEST'
  /** A host id and authenticator that do not match. */
  | 'COMPUTE_AUTH'
  /** A body, file or list beyond its bound. */
  | 'COMPUTE_TOO_LARGE'
  /** A file whose SHA-256 is not the one it was published with. */
  | 'COMPUTE_HASH_MISMATCH'
  /** An application manifest whose Ed25519 signature does not verify. */
  | 'COMPUTE_BAD_SIGNATURE'
  /** An upload permit that is forged, expired or for another instance. */
  | 'COMPUTE_BAD_PERMIT'
  /** A WebAssembly module the sandbox refuses to run (no memory maximum, shared memory, foreign imports). */
  | 'COMPUTE_MODULE_REFUSED'
  /** A project folder that is missing, or lacks its keys or database. */
  | 'COMPUTE_PROJECT'
  /** An application or work unit named that does not exist. */
  | 'COMPUTE_NOT_FOUND'
  /** The project server did not answer, or answered with an error status. */
  | 'COMPUTE_SERVER'
  /** A bad option or argument. */
  | 'COMPUTE_USAGE';

export class ComputeError extends TandemError {
  declare readonly code: ComputeErrorCode;
  constructor(code: ComputeErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'ComputeError';
  }
}
