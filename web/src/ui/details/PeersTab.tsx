// The peers tab: one row per connected peer.
import type { JSX } from 'preact';
import type { TorrentDetail } from '../../../../src/node/types.js';
import * as fmt from '../../lib/format.js';

export function PeersTab({ d }: { d: TorrentDetail }): JSX.Element {
  if (d.peerList.length === 0) return <p class="waiting">No peers connected.</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Peers">
      <table class="data cards">
        <thead>
          <tr><th scope="col">Address</th><th scope="col">Client</th><th scope="col">Flags</th><th scope="col" class="num">Progress</th><th scope="col" class="num">Down</th><th scope="col" class="num">Up</th><th scope="col">Encrypted</th></tr>
        </thead>
        <tbody>
          {d.peerList.map((p) => (
            <tr key={p.address}>
              <td data-label="Address">{p.address}</td>
              <td data-label="Client">{p.client}</td>
              <td data-label="Flags"><abbr title={`${p.outgoing ? 'outgoing' : 'incoming'} connection`}>{p.flags}</abbr></td>
              <td class="num" data-label="Progress">{fmt.percent(p.progress)}</td>
              <td class="num" data-label="Down">{fmt.rate(p.downloadRateBytesPerSec)}</td>
              <td class="num" data-label="Up">{fmt.rate(p.uploadRateBytesPerSec)}</td>
              <td data-label="Encrypted">{p.encrypted ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
