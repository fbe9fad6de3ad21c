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
