// The trackers tab: each tracker's tier, last announce and its answer; then the web seeds.
import type { JSX } from 'preact';
import type { TorrentDetail } from '../../../../src/node/types.js';
import * as fmt from '../../lib/format.js';

export function TrackersTab({ d }: { d: TorrentDetail }): JSX.Element {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Trackers and web seeds">
      {d.trackers.length === 0 ? <p class="waiting">No trackers (the torrent finds peers by DHT, PEX or local discovery).</p> : (
        <table class="data">
          <thead>
            <tr><th scope="col" class="num">Tier</th><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Last announce</th><th scope="col" class="num">Seeders</th><th scope="col" class="num">Leechers</th></tr>
          </thead>
          <tbody>
            {d.trackers.map((t) => (
              <tr key={`${t.tier}-${t.url}`}>
                <td class="num">{t.tier}</td>
                <td class="url">{t.url}</td>
                <td>{t.lastResult}</td>
                <td>{fmt.ago(t.lastAnnounceAt)}</td>
                <td class="num">{t.seeders >= 0 ? t.seeders : ''}</td>
                <td class="num">{t.leechers >= 0 ? t.leechers : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Web seeds</h3>
      {d.webSeeds.length === 0 ? <p class="waiting">None.</p> : (
        <ul class="plain">
          {d.webSeeds.map((w) => <li key={w} class="url">{w}</li>)}
          <li>{fmt.bytes(d.webSeedBytes)} from web seeds in all</li>
        </ul>
      )}
    </div>
  );
}
