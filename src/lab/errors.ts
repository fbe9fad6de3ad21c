import { TandemError, type ErrorKind } from '../util/errors.js';

/** Stable codes of the lab's errors. */
export type LabErrorCode =
  /** A flag's value is not one the lab takes (exit 2). */
  | 'LAB_USAGE'
  /** The lab needs root for network namespaces and tc (exit 2). */
  | 'LAB_NOT_ROOT'
  /** Another lab holds the lock file. */
  | 'LAB_BUSY'
  /** A mode's program (libtorrent, aria2) is not installed (exit 2, before anything starts). */
  | 'LAB_MISSING_PROGRAM'
  /** `ip` or `tc` failed while the hosts were built or torn down. */
  | 'LAB_NETNS'
  /** A process of a run did not start, or a run did not finish in time. */
  | 'LAB_RUN'
  /** A client's copy of the file does not have the file's sha256. */
  | 'LAB_CORRUPT'
  /** The run was interrupted (Ctrl-C, SIGTERM). */
  | 'LAB_ABORTED';

export class LabError extends TandemError {
  declare readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'LabError';
  }
}
