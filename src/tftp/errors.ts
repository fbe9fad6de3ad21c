import { TandemError, type ErrorKind } from '../util/errors.js';

export type TftpErrorCode =
  | 'TFTP_MALFORMED' // a packet that breaks RFC 1350 / 2347 framing (the message says how)
  | 'TFTP_OPTION' // an option value outside its RFC 2348/2349/7440 range, or an OACK we did not ask for
  | 'TFTP_REMOTE' // the peer sent an ERROR packet (its code and text are in the message)
  | 'TFTP_TIMEOUT' // no answer after every retransmission
  | 'TFTP_BAD_URL' // a tftp:// URL without a host or a file
  | 'TFTP_CONFIG' // a server option that cannot work (missing folder, bad address)
  | 'TFTP_IO'; // reading or writing a local file failed

export class TftpError extends TandemError {
  constructor(code: TftpErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'TftpError';
  }
}
