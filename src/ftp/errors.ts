import { TandemError, type ErrorKind } from '../util/errors.js';

export type FtpErrorCode =
  | 'FTP_CONFIG' // a server option that cannot work (missing folder, bad port range, TLS files)
  | 'FTP_LISTEN' // the server could not bind its address
  | 'FTP_BAD_URL' // an ftp(s):// URL without a host, or with a path that cannot be saved safely
  | 'FTP_REPLY' // the server answered with a reply code the client cannot go on from (the reply is in the message)
  | 'FTP_PROTOCOL' // a reply that breaks RFC 959 §4.2 framing, or a PASV/EPSV reply we cannot parse
  | 'FTP_TLS' // the TLS handshake on the control or a data channel failed
  | 'FTP_TIMEOUT' // no reply, or no data, for too long
  | 'FTP_UNSAFE_NAME' // a remote name in a listing that would leave the download folder
  | 'FTP_IO'; // reading or writing a local file failed

export class FtpError extends TandemError {
  constructor(code: FtpErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'FtpError';
  }
}
