// The overview tab: the piece bar, the speed graph and the torrent's facts.
import type { JSX } from 'preact';
import { PieceBar } from './PieceBar.js';
import { SpeedGraph } from './SpeedGraph.js';
import { rateHistory } from '../../store/history.js';
import type { TorrentDetail, TorrentSummary } from '../../../../src/node/types.js';
import * as fmt from '../../lib/format.js';

export function Overview({ t, d }: { t: TorrentSummary; d: TorrentDetail }): JSX.Element {
  const samples = rateHistory.watch(t.id, { down: t.downloadRateBytesPerSec, up: t.uploadRateBytesPerSec });
  const facts: [string, string][] = [
    ['State', `${fmt.STATUS_TEXT[t.status] ?? t.status}${t.error ? `: ${t.error}` : ''}`],
    ['Progress', `${fmt.percent(t.progress)} of ${fmt.bytes(t.wantedBytes)} wanted (${fmt.bytes(t.totalBytes)} in all)`],
    ['Rates', `↓ ${fmt.rate(t.downloadRateBytesPerSec) || '0 B/s'} · ↑ ${fmt.rate(t.uploadRateBytesPerSec) || '0 B/s'}`],
    ['Transferred', `${fmt.bytes(t.downloadedBytes)} down · ${fmt.bytes(t.uploadedBytes)} up · ratio ${fmt.ratio(t.ratio)}`],
    ['Peers', `${t.peers} (${t.seeds} seed${t.seeds === 1 ? '' : 's'})`],
    ['Web seeds', d.webSeedStats.length ? `${d.webSeedStats.length} · ${fmt.bytes(t.webSeedBytes)} received from them` : 'none'],
    ['Saved in', t.savePath],
    ['Info hash', t.infoHash],
    ['Pieces', `${t.pieceCount} × ${fmt.bytes(d.pieceLengthBytes)}`],
    ['Queue', `#${t.queuePosition + 1}${t.sequential ? ' · sequential' : ''}`],
    ['Limits', `↓ ${fmt.rate(t.downloadLimitBytesPerSec) || 'none'} · ↑ ${fmt.rate(t.uploadLimitBytesPerSec) || 'none'}`],
    ['Added', `${fmt.date(t.addedAt)}${t.completedAt ? ` · completed ${fmt.date(t.completedAt)}` : ''}`],
    ['Private', d.isPrivate ? 'yes' : 'no'],
  ];
  if (d.comment) facts.push(['Comment', d.comment]);
  return (
    <div class="overview">
      <PieceBar pieces={d.pieceCount} have={d.piecesBitfield} downloading={d.piecesDownloading} available={d.piecesAvailable} />
      <SpeedGraph samples={samples} version={samples.length ? samples[samples.length - 1]!.at : 0} />
      <dl class="facts">
        {facts.map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
        <div><dt>Magnet</dt><dd><input type="text" readOnly value={d.magnet} aria-label="Magnet link" onFocus={(e) => e.currentTarget.select()} /></dd></div>
      </dl>
    </div>
  );
}
