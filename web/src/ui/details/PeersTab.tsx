// The peers tab: one row per connected peer.
import type { JSX } from 'preact';
import type { TorrentDetail } from '../../../../src/node/types.js';
import * as fmt from '../../lib/format.js';

export function PeersTab({ d }: { d: TorrentDetail }): JSX.Element {
  if (d.peerList.length === 0) return <p class="waiting">No peers connected.</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Peers">
      <table class="data">
        <thead>
          <tr><th scope="col">Address</th><th scope="col">Client</th><th scope="col">Flags</th><th scope="col" class="num">Progress</th><th scope="col" class="num">Down</th><th scope="col" class="num">Up</th><th scope="col">Encrypted</th></tr>
        </thead>
        <tbody>
          {d.peerList.map((p) => (
            <tr key={p.address}>
              <td>{p.address}</td>
              <td>{p.client}</td>
              <td><abbr title={`${p.outgoing ? 'outgoing' : 'incoming'} connection`}>{p.flags}</abbr></td>
              <td class="num">{fmt.percent(p.progress)}</td>
              <td class="num">{fmt.rate(p.downloadRateBytesPerSec)}</td>
              <td class="num">{fmt.rate(p.uploadRateBytesPerSec)}</td>
              <td>{p.encrypted ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
