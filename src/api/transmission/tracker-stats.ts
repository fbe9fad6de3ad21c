import type { TorrentTrackerInfo } from '../../node/index.js';

const secs = (ms: number): number => Math.floor(ms / 1000);

/** Transmission's tr_tracker_state. */
const INACTIVE = 0;
const WAITING = 1;
const ACTIVE = 3;

/**
 * `trackerStats` as Transmission's RPC spec lists it. Every field is there: transmission-remote's `-it` prints a
 * tracker only when it finds them all. tandem keeps no scrape results, so those read as never scraped. BEP 12:
 * while one tracker is due or being asked, the others wait as backups.
 */
export function trackerStats(trackers: TorrentTrackerInfo[]): Record<string, unknown>[] {
  const scheduled = trackers.some((t) => t.announcing || t.nextAnnounceAt > 0);
  return trackers.map((t, id) => ({
    id,
    host: t.url,
    announce: t.url,
    scrape: t.url.replace(/\/announce$/, '/scrape'),
    tier: t.tier,
    isBackup: scheduled && !t.announcing && t.nextAnnounceAt === 0,
    announceState: t.announcing ? ACTIVE : t.nextAnnounceAt > 0 ? WAITING : INACTIVE,
    hasAnnounced: t.lastAnnounceAt > 0,
    lastAnnounceTime: secs(t.lastAnnounceAt),
    lastAnnounceStartTime: secs(t.lastAnnounceAt),
    lastAnnounceResult: t.lastResult,
    lastAnnounceSucceeded: t.lastResult === 'Success',
    lastAnnounceTimedOut: false,
    lastAnnouncePeerCount: t.lastPeerCount,
    nextAnnounceTime: secs(t.nextAnnounceAt),
    seederCount: t.seeders,
    leecherCount: t.leechers,
    downloadCount: -1,
    scrapeState: INACTIVE,
    hasScraped: false,
    lastScrapeTime: 0,
    lastScrapeStartTime: 0,
    lastScrapeResult: '',
    lastScrapeSucceeded: false,
    lastScrapeTimedOut: false,
    nextScrapeTime: 0,
  }));
}
