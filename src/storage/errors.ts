import { TandemError } from '../util/errors.js';

export type StorageErrorCode =
  | 'STORAGE_IO' // a read, write, open or stat failed; the message names the operation and the file
  | 'STORAGE_RANGE' // a read or write outside the torrent's bytes
  | 'STORAGE_NOT_STARTED'; // used before open() or after close()

/** A storage failure; `op` and `file` say which operation on which file. */
export class StorageError extends TandemError {
  constructor(
    code: StorageErrorCode,
    message: string,
    readonly op?: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, 'runtime', options);
    this.name = 'StorageError';
  }
}

// What a person should read beside the system's code for the failures a download meets in practice.
const PLAIN: Record<string, string> = {
  ENOSPC: 'no space left on the device; free some and run the command again to resume',
  EDQUOT: 'disk quota exceeded; free some and run the command again to resume',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EIO: 'input/output error',
  EMFILE: 'too many open files (ulimit -n)',
};

/** A STORAGE_IO error for `op` on `path`, worded `write PATH: ENOSPC (no space left on the device; ...)`. */
export function ioError(op: string, path: string, err: unknown): StorageError {
  const code = (err as NodeJS.ErrnoException).code;
  const plain = code === undefined ? undefined : PLAIN[code];
  const detail = code === undefined ? String(err) : plain ? `${code} (${plain})` : code;
  return new StorageError('STORAGE_IO', `${op} ${path}: ${detail}`, op, path, { cause: err });
}
