import type { TorrentTrackerInfo, TorrentWebSeedInfo } from './types.js';

/** The announcer's schedule as `TrackerClient.status()` gives it (clock ms are wall-clock ms in the node). */
export interface AnnounceStatus {
  announcing?: string;
  next?: { url: string; atMs: number };
}

/**
 * The tracker list of a torrent's details: each tracker's last result (kept by `EntryDiscovery`) with the
 * announcer's schedule laid over it. Copies, so a face never holds the node's own objects.
 */
export function trackerList(trackers: Map<string, TorrentTrackerInfo> | undefined, status: AnnounceStatus | undefined): TorrentTrackerInfo[] {
  return [...(trackers?.values() ?? [])].map((t) => ({
    ...t,
    nextAnnounceAt: status?.next?.url === t.url ? status.next.atMs : 0,
    announcing: status?.announcing === t.url,
  }));
}

/** Each web seed of the torrent (once, in the torrent's order) with its bytes over the torrent's life. */
export function webSeedList(urls: string[], live: { url: string; inFlight: number }[] | undefined, lifetimeBytes: Map<string, number>): TorrentWebSeedInfo[] {
  const byUrl = new Map((live ?? []).map((s) => [s.url, s]));
  return [...new Set(urls)].map((url) => ({ url, bytes: lifetimeBytes.get(url) ?? 0, inFlight: byUrl.get(url)?.inFlight ?? 0 }));
}
