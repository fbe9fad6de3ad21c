/** Types shared by the tracker client, server and codecs. */

/** BEP 3 event names; 'none' is the regular re-announce ("empty" on the wire). */
export type AnnounceEvent = 'none' | 'started' | 'completed' | 'stopped';

/** One peer address; `peerId` only when a non-compact response carried it. */
export interface PeerAddress {
  host: string;
  port: number;
  family: 4 | 6;
  peerId?: Buffer;
}

/** What a client announces (BEP 3 query fields, BEP 15 announce fields). */
export interface AnnounceRequest {
  infoHash: Buffer;
  peerId: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: AnnounceEvent;
  /** BEP 3 `key`: lets the tracker recognise us across IP changes. 32 bits, as BEP 15 carries it. */
  key?: number;
  numwant?: number;
  /** BEP 3 `compact=1` (BEP 23); we always ask for it over HTTP unless told not to. */
  compact?: boolean;
  trackerId?: string;
}

export interface AnnounceResponse {
  intervalS: number;
  minIntervalS?: number;
  complete?: number;
  incomplete?: number;
  trackerId?: string;
  warning?: string;
  peers: PeerAddress[];
}

export interface ScrapeEntry {
  infoHash: Buffer;
  complete: number;
  downloaded: number;
  incomplete: number;
}
