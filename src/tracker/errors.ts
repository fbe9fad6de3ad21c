import { TandemError, type ErrorKind } from '../util/errors.js';

export type TrackerErrorCode =
  | 'TRACKER_BAD_INFO_HASH' // an info_hash that is missing or not exactly 20 bytes
  | 'TRACKER_BAD_PEER_ID' // a peer_id that is missing or not exactly 20 bytes
  | 'TRACKER_BAD_FIELD' // a missing, non-numeric, out-of-range or over-long request field
  | 'TRACKER_BAD_EVENT' // an event other than started, completed, stopped or empty
  | 'TRACKER_BAD_PACKET' // a UDP packet that is truncated, oversized or of an unknown action
  | 'TRACKER_BAD_CONNECTION_ID' // a UDP connection id that is wrong or expired (BEP 15)
  | 'TRACKER_BAD_RESPONSE' // a tracker response that is not what the protocol says
  | 'TRACKER_RESPONSE_TOO_LARGE' // a tracker response over the size limit
  | 'TRACKER_FAILURE' // the tracker answered with a `failure reason` (or a BEP 15 error)
  | 'TRACKER_TIMEOUT' // no answer in time, after every retransmission
  | 'TRACKER_UNREACHABLE' // a socket or DNS error reaching the tracker
  | 'TRACKER_BAD_URL' // an announce URL that is not http(s):// or udp://, or is malformed
  | 'TRACKER_NOT_ALLOWED' // private mode: an info hash not on the allow list
  | 'TRACKER_BAD_PASSKEY' // private mode: a missing or unknown passkey
  | 'TRACKER_RATE_LIMITED' // too many requests from one address
  | 'TRACKER_FULL' // the swarm store is at its cap of torrents or peers
  | 'TRACKER_STORE' // the swarm store backend failed (e.g. Redis unreachable)
  | 'TRACKER_ABORTED' // the caller aborted the request
  | 'TRACKER_STOPPED'; // the client or server was stopped while a request was pending

/** Every tracker problem, on either side; the server sends `message` as its `failure reason`. */
export class TrackerError extends TandemError {
  constructor(code: TrackerErrorCode, message: string, kind: ErrorKind = 'runtime', options?: { cause?: unknown }) {
    super(code, message, kind, options);
    this.name = 'TrackerError';
  }
}

/** A request a peer sent that the server will not serve. */
export function badRequest(code: TrackerErrorCode, message: string): TrackerError {
  return new TrackerError(code, message, 'input');
}
