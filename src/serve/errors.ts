import { TandemError, type ErrorKind } from '../util/errors.js';

export type SeedErrorCode =
  | 'SEED_CONFIG' // an option that cannot work (the cache folder inside the served folder, a bad base URL)
  | 'SEED_READ_ONLY' // something tried to write to a served file through the seed's storage
  | 'SEED_IO' // reading a served file for a peer failed
  | 'SEED_WORKER'; // a `serve --workers` worker process could not start

export class SeedError extends TandemError {
  constructor(code: SeedErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'SeedError';
  }
}
