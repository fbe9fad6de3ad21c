// The JSON-RPC methods of `/api/rpc` (the contract of issue 11) as one type map: method → [params, result].
import type {
  AddResult, ServerInfo, ServerKind, SessionSettings, SessionStats, TorrentChanges, TorrentDetail, TorrentSummary,
} from '../../../src/node/types.js';

export type Ids = number | string | (number | string)[] | 'all';
type IdsResult = { ids: number[] };

export interface AddParams {
  source?: string;
  /** The .torrent file's bytes, base64. */
  metainfo?: string;
  savePath?: string;
  paused?: boolean;
  onlyFiles?: number[];
  sequential?: boolean;
  labels?: string[];
}

export interface CreateParams {
  path: string;
  trackers?: string[];
  webSeeds?: string[];
  private?: boolean;
  pieceLengthBytes?: number;
  hybrid?: boolean;
  seed?: boolean;
  /** A name the node puts on this creation's `create:progress` events. */
  job?: string;
}

export interface Methods {
  'session.get': [Record<string, never>, SessionSettings & { version: string }];
  'session.set': [Partial<SessionSettings>, SessionSettings];
  'session.stats': [Record<string, never>, SessionStats];
  'torrent.add': [AddParams, AddResult];
  'torrent.list': [Record<string, never>, TorrentSummary[]];
  'torrent.get': [{ id: number | string }, TorrentDetail];
  'torrent.pause': [{ ids: Ids }, IdsResult];
  'torrent.resume': [{ ids: Ids }, IdsResult];
  'torrent.verify': [{ ids: Ids }, IdsResult];
  'torrent.remove': [{ ids: Ids; deleteData?: boolean }, IdsResult];
  'torrent.set': [{ ids: Ids } & TorrentChanges, IdsResult];
  'torrent.queueMove': [{ ids: Ids; to: 'top' | 'up' | 'down' | 'bottom' }, IdsResult];
  'torrent.create': [CreateParams, { metainfo: string; torrent?: TorrentSummary }];
  'server.list': [Record<string, never>, ServerInfo[]];
  'server.start': [{ kind: ServerKind; address: string; root?: string; seed?: boolean }, ServerInfo];
  /** The server's last access-log lines. */
  'server.log': [{ kind: ServerKind }, string[]];
  'server.stop': [{ kind: ServerKind }, ServerInfo];
}

export type Method = keyof Methods;
