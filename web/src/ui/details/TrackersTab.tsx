// The trackers tab: each tracker's tier, state, last and next announce and its counts; then the web seeds with
// the bytes each one sent.
import type { JSX } from 'preact';
import type { TorrentDetail, TorrentTrackerInfo } from '../../../../src/node/types.js';
import * as fmt from '../../lib/format.js';

function status(t: TorrentTrackerInfo): string {
  if (t.announcing) return 'Announcing…';
  if (!t.lastAnnounceAt) return t.nextAnnounceAt ? 'Waiting' : 'Idle';
  return t.lastResult || 'Idle';
}

/** BEP 12: only the first tracker of the first tier has a time; the others are asked when those before them fail. */
function next(t: TorrentTrackerInfo, running: boolean): string {
  if (t.announcing) return 'now';
  if (t.nextAnnounceAt) return fmt.until(t.nextAnnounceAt);
  return running ? 'if the ones before fail' : '';
}

const count = (n: number): string => (n >= 0 ? String(n) : '');

export function TrackersTab({ d }: { d: TorrentDetail }): JSX.Element {
  const running = d.status !== 'stopped' && d.status !== 'queued' && d.status !== 'error';
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Trackers and web seeds">
      {d.trackers.length === 0 ? <p class="waiting">No trackers (the torrent finds peers by DHT, PEX or local discovery).</p> : (
        <table class="data cards">
          <thead>
            <tr><th scope="col" class="num">Tier</th><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Last announce</th><th scope="col">Next announce</th><th scope="col" class="num">Seeders</th><th scope="col" class="num">Leechers</th></tr>
          </thead>
          <tbody>
            {d.trackers.map((t) => (
              <tr key={`${t.tier}-${t.url}`}>
                <td class="num" data-label="Tier">{t.tier}</td>
                <td class="url" data-label="URL">{t.url}</td>
                <td class={t.lastAnnounceAt && t.lastResult !== 'Success' ? 'error-text' : undefined} data-label="Status">{status(t)}</td>
                <td data-label="Last announce">{fmt.ago(t.lastAnnounceAt)}</td>
                <td data-label="Next announce">{next(t, running)}</td>
                <td class="num" data-label="Seeders">{count(t.seeders)}</td>
                <td class="num" data-label="Leechers">{count(t.leechers)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Web seeds</h3>
      {d.webSeedStats.length === 0 ? <p class="waiting">None.</p> : (
        <table class="data cards">
          <thead>
            <tr><th scope="col">URL</th><th scope="col" class="num">Received</th><th scope="col" class="num">Fetching</th></tr>
          </thead>
          <tbody>
            {d.webSeedStats.map((w) => (
              <tr key={w.url}>
                <td class="url" data-label="URL">{w.url}</td>
                <td class="num" data-label="Received">{fmt.bytes(w.bytes)}</td>
                <td class="num" data-label="Fetching">{w.inFlight ? `${w.inFlight} piece${w.inFlight === 1 ? '' : 's'}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
