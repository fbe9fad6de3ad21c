import { TandemError, type ErrorKind } from '../util/errors.js';

export type HttpErrorCode =
  | 'HTTP_CONFIG' // a server option that cannot work (bad address, unreadable TLS file, missing folder)
  | 'HTTP_LISTEN' // the server could not bind its address
  | 'HTTP_BAD_URL' // a URL given to the client that is not http(s) or has no host
  | 'HTTP_STATUS' // the client got a status it cannot use (the message carries it)
  | 'HTTP_PROTOCOL' // the client got a response that breaks RFC 9110 (bad Content-Range, short body)
  | 'HTTP_IO' // reading or writing a local file failed while downloading
  | 'HTTP_TIMEOUT'; // the client saw no bytes for too long

export class HttpError extends TandemError {
  constructor(code: HttpErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'HttpError';
  }
}
