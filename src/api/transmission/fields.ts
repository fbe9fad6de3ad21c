import { SEED_RATIO_MODES, type TorrentDetail, type TorrentStatus, type TorrentSummary } from '../../node/index.js';
import { trackerStats } from './tracker-stats.js';

/**
 * torrent-get fields (Transmission RPC spec §3.3) from the node's summary and detail. Every count is a JSON
 * integer: `transmission-remote -l` hides a row whose `eta`, `id`, `leftUntilDone`, `rateDownload`, `rateUpload`,
 * `sizeWhenDone` or `status` is not (REFERENCE-PROGRAMS.md).
 */

/** tr_torrent_activity: 0 stopped, 1 check wait, 2 checking, 3 download wait, 4 downloading, 5 seed wait, 6 seeding. */
export function statusCode(s: TorrentSummary): number {
  const map: Record<TorrentStatus, number> = { stopped: 0, error: 0, checking: 2, metadata: 4, downloading: 4, seeding: 6, queued: s.progress >= 1 ? 5 : 3 };
  return map[s.status];
}

const secs = (ms: number): number => Math.floor(ms / 1000);
const int = (n: number): number => Math.round(n);

type Getter = (s: TorrentSummary, d: () => TorrentDetail) => unknown;

/** Fields that need only the summary are cheap; the others ask for the detail (built once per torrent per call). */
export const FIELDS: Record<string, Getter> = {
  id: (s) => s.id,
  hashString: (s) => s.infoHash,
  name: (s) => s.name,
  status: (s) => statusCode(s),
  error: (s) => (s.error ? 3 : 0),
  errorString: (s) => s.error,
  eta: (s) => (s.etaSeconds >= 0 ? int(s.etaSeconds) : s.progress >= 1 ? -1 : -2),
  isFinished: (s) => s.progress >= 1 && s.status === 'stopped',
  isStalled: (s) => s.status === 'downloading' && s.downloadRateBytesPerSec === 0,
  leftUntilDone: (s) => int(s.wantedBytes - s.verifiedBytes),
  sizeWhenDone: (s) => int(s.wantedBytes),
  totalSize: (s) => int(s.totalBytes),
  percentDone: (s) => s.progress,
  metadataPercentComplete: (s) => (s.pieceCount > 0 ? 1 : 0),
  recheckProgress: (s) => (s.status === 'checking' ? 0 : 1),
  rateDownload: (s) => int(s.downloadRateBytesPerSec),
  rateUpload: (s) => int(s.uploadRateBytesPerSec),
  uploadRatio: (s) => (s.downloadedBytes + s.verifiedBytes === 0 ? -1 : s.ratio),
  uploadedEver: (s) => int(s.uploadedBytes),
  downloadedEver: (s) => int(s.downloadedBytes),
  haveValid: (s) => int(s.verifiedBytes),
  haveUnchecked: () => 0,
  corruptEver: () => 0,
  desiredAvailable: (s) => int(s.wantedBytes - s.verifiedBytes),
  peersConnected: (s) => s.peers,
  peersGettingFromUs: (s) => (s.uploadRateBytesPerSec > 0 ? s.peers - s.seeds : 0),
  peersSendingToUs: (s) => (s.downloadRateBytesPerSec > 0 ? s.peers : 0),
  webseedsSendingToUs: () => 0,
  'peer-limit': () => 200,
  addedDate: (s) => secs(s.addedAt),
  doneDate: (s) => secs(s.completedAt),
  startDate: (s) => secs(s.addedAt),
  activityDate: (s) => (s.downloadRateBytesPerSec + s.uploadRateBytesPerSec > 0 ? secs(Date.now()) : secs(s.completedAt || s.addedAt)),
  dateCreated: () => 0,
  secondsDownloading: () => 0,
  secondsSeeding: () => 0,
  downloadDir: (s) => s.savePath,
  labels: (s) => s.labels,
  queuePosition: (s) => s.queuePosition,
  sequentialDownload: (s) => s.sequential,
  pieceCount: (s) => s.pieceCount,
  downloadLimit: (s) => Math.floor(s.downloadLimitBytesPerSec / 1000),
  downloadLimited: (s) => s.downloadLimitBytesPerSec > 0,
  uploadLimit: (s) => Math.floor(s.uploadLimitBytesPerSec / 1000),
  uploadLimited: (s) => s.uploadLimitBytesPerSec > 0,
  honorsSessionLimits: () => true,
  bandwidthPriority: () => 0,
  seedRatioMode: (s) => SEED_RATIO_MODES.indexOf(s.seedRatioMode),
  seedRatioLimit: (s) => s.seedRatioLimit,
  seedIdleMode: () => 0,
  seedIdleLimit: () => 30,
  isPrivate: (_s, d) => d().isPrivate,
  comment: (_s, d) => d().comment,
  creator: () => '',
  magnetLink: (_s, d) => d().magnet,
  pieceSize: (_s, d) => d().pieceLengthBytes,
  pieces: (_s, d) => d().piecesBitfield,
  files: (_s, d) => d().files.map((f) => ({ name: f.path, length: f.lengthBytes, bytesCompleted: f.verifiedBytes })),
  fileStats: (_s, d) => d().files.map((f) => ({ bytesCompleted: f.verifiedBytes, wanted: f.wanted, priority: f.priority })),
  wanted: (_s, d) => d().files.map((f) => (f.wanted ? 1 : 0)),
  priorities: (_s, d) => d().files.map((f) => f.priority),
  peers: (_s, d) =>
    d().peerList.map((p) => {
      const colon = p.address.lastIndexOf(':');
      const host = p.address.slice(0, colon).replace(/^\[|\]$/g, '');
      return {
        address: host,
        port: Number(p.address.slice(colon + 1)),
        clientName: p.client,
        flagStr: p.flags,
        isEncrypted: p.encrypted,
        isIncoming: !p.outgoing,
        progress: p.progress,
        rateToClient: p.downloadRateBytesPerSec,
        rateToPeer: p.uploadRateBytesPerSec,
        clientIsChoked: false,
        clientIsInterested: true,
        peerIsChoked: false,
        peerIsInterested: false,
        isDownloadingFrom: p.downloadRateBytesPerSec > 0,
        isUploadingTo: p.uploadRateBytesPerSec > 0,
        isUTP: false,
      };
    }),
  peersFrom: (_s, d) => ({ fromTracker: 0, fromDht: 0, fromIncoming: d().peerList.filter((p) => !p.outgoing).length, fromLpd: 0, fromPex: 0, fromCache: 0, fromLtep: 0 }),
  trackers: (_s, d) => d().trackers.map((t, id) => ({ id, announce: t.url, scrape: t.url.replace(/\/announce$/, '/scrape'), tier: t.tier })),
  trackerStats: (_s, d) => trackerStats(d().trackers),
  webseeds: (_s, d) => d().webSeeds,
};

/** One torrent as `torrent-get` answers for the requested fields (unknown names are left out, as Transmission does). */
export function torrentObject(s: TorrentSummary, detail: () => TorrentDetail, fields: string[]): Record<string, unknown> {
  let cached: TorrentDetail | undefined;
  const d = (): TorrentDetail => (cached ??= detail());
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const get = Object.hasOwn(FIELDS, f) ? FIELDS[f] : undefined;
    if (get) out[f] = get(s, d);
  }
  return out;
}

/** Keys of the requested fields that exist, each with its JSON key text made once per request. */
export function knownFields(fields: string[]): [name: string, key: string][] {
  return fields.filter((f) => Object.hasOwn(FIELDS, f)).map((f) => [f, `${JSON.stringify(f)}:`]);
}

/**
 * One torrent as the JSON text of its `torrent-get` object: written straight to text, with no object per torrent to
 * build and walk again (a list of 10,000 torrents is most of a daemon's API work).
 */
export function torrentJson(s: TorrentSummary, detail: () => TorrentDetail, fields: [name: string, key: string][]): string {
  let cached: TorrentDetail | undefined;
  const d = (): TorrentDetail => (cached ??= detail());
  let out = '{';
  for (let i = 0; i < fields.length; i++) {
    const [name, key] = fields[i]!;
    const value = JSON.stringify(FIELDS[name]!(s, d));
    out += (i > 0 ? ',' : '') + key + (value ?? 'null');
  }
  return out + '}';
}
