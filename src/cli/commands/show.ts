import { Command } from 'commander';
import { formatBytes } from '../../util/format.js';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, fetchTorrent, type RemoteFlags } from '../rpc-client.js';
import { formatEta } from '../table.js';

export default function showCommand(): Command {
  const cmd = new Command('show')
    .description("show one of the running daemon's torrents (tandem info reads a .torrent or magnet instead)")
    .argument('<id>', 'the torrent id, or an info-hash prefix')
    .addHelpText('after', '\nExamples:\n  tandem show 3\n  tandem show c12fe1c0 --json');
  addRemoteFlags(cmd);
  return cmd.action((id: string, flags: RemoteFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const t = await fetchTorrent(flags, id);
      out.json(t);
      const rows: [string, string][] = [
        ['Id', String(t.id)],
        ['Name', t.name],
        ['Info hash', t.infoHash],
        ['State', t.status + (t.error ? ` (${t.error})` : '')],
        ['Location', t.savePath],
        ['Progress', `${Math.floor(t.progress * 1000) / 10}% of ${formatBytes(t.wantedBytes)} (${t.piecesHave}/${t.pieceCount} pieces of ${formatBytes(t.pieceLengthBytes)})`],
        ['Total size', formatBytes(t.totalBytes)],
        ['Rates', `down ${formatBytes(t.downloadRateBytesPerSec)}/s, up ${formatBytes(t.uploadRateBytesPerSec)}/s, ETA ${formatEta(t.etaSeconds)}`],
        ['Transferred', `down ${formatBytes(t.downloadedBytes)}, up ${formatBytes(t.uploadedBytes)}, ratio ${t.ratio.toFixed(2)}`],
        ['Peers', `${t.peers} (${t.seeds} seeds)`],
        ['Labels', t.labels.join(', ') || '-'],
        ['Added', new Date(t.addedAt).toISOString()],
        ['Completed', t.completedAt ? new Date(t.completedAt).toISOString() : '-'],
        ['Trackers', t.trackers.map((tr) => `${tr.url} (${tr.lastResult || 'not yet'})`).join(', ') || '-'],
        ['Magnet', t.magnet],
      ];
      for (const [k, v] of rows) out.line(`${`${k}:`.padEnd(13)}${v}`);
    }),
  );
}
