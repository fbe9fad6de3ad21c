import { Command } from 'commander';
import { isMagnet, magnetFromMetainfo, parseMagnet, type MagnetLink, type Metainfo } from '../../metainfo/index.js';
import { addCommonFlags, Output, runCommand, type CommonFlags } from '../output.js';
import { readTorrentFile } from '../torrent-source.js';
import { formatBytes } from '../units.js';

export default function infoCommand(): Command {
  const cmd = new Command('info')
    .description('show what a .torrent file or a magnet link describes')
    .argument('<torrent-or-magnet>', 'a .torrent file or a magnet: link')
    .addHelpText('after', '\nExamples:\n  tandem info debian.torrent\n  tandem info "magnet:?xt=urn:btih:..." --json');
  addCommonFlags(cmd);
  return cmd.action((source: string, flags: CommonFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      if (isMagnet(source)) return showMagnet(parseMagnet(source), out);
      showTorrent(await readTorrentFile(source), out);
    }),
  );
}

/** The fields of a torrent as one plain object: what --json prints. */
export function torrentSummary(meta: Metainfo): Record<string, unknown> {
  return {
    name: meta.name,
    version: meta.version,
    infoHashV1: meta.infoHashV1?.toString('hex'),
    infoHashV2: meta.infoHashV2?.toString('hex'),
    totalBytes: meta.contentLengthBytes,
    pieceLengthBytes: meta.pieceLengthBytes,
    pieceCount: meta.pieceCount,
    private: meta.private,
    files: meta.files.filter((f) => !f.pad).map((f) => ({ path: meta.singleFile ? f.path.join('/') : [meta.name, ...f.path].join('/'), lengthBytes: f.length })),
    trackers: meta.announce,
    webSeeds: meta.urlList,
    comment: meta.comment,
    createdBy: meta.createdBy,
    creationDate: meta.creationDate === undefined ? undefined : new Date(meta.creationDate * 1000).toISOString(),
    magnet: magnetFromMetainfo(meta),
  };
}

/** A printer of `label:  value` lines, values aligned in one column. */
function labelled(out: Output): (label: string, value: string) => void {
  return (label, value) => out.line(`${(label + ':').padEnd(14)}${value}`);
}

function showTorrent(meta: Metainfo, out: Output): void {
  const s = torrentSummary(meta);
  out.json(s);
  const files = s.files as { path: string; lengthBytes: number }[];
  const row = labelled(out);
  row('name', meta.name);
  row('version', meta.version);
  if (meta.infoHashV1) row('info hash v1', meta.infoHashV1.toString('hex'));
  if (meta.infoHashV2) row('info hash v2', meta.infoHashV2.toString('hex'));
  row('size', `${formatBytes(meta.contentLengthBytes)} (${meta.contentLengthBytes} bytes) in ${files.length} file${files.length === 1 ? '' : 's'}`);
  row('pieces', `${meta.pieceCount} of ${formatBytes(meta.pieceLengthBytes)}`);
  row('private', meta.private ? 'yes' : 'no');
  meta.announce.forEach((tier, i) => (i === 0 ? row('trackers', `tier 1: ${tier.join(', ')}`) : out.line(`${''.padEnd(14)}tier ${i + 1}: ${tier.join(', ')}`)));
  if (meta.urlList.length) row('web seeds', meta.urlList.join(', '));
  if (meta.createdBy) row('created by', meta.createdBy);
  if (s.creationDate) row('created', String(s.creationDate));
  if (meta.comment) row('comment', meta.comment);
  row('magnet', String(s.magnet));
  out.line('files:');
  for (const f of files) out.line(`  ${String(f.lengthBytes).padStart(14)}  ${f.path}`);
}

function showMagnet(link: MagnetLink, out: Output): void {
  out.json({
    name: link.name,
    infoHashV1: link.infoHashV1?.toString('hex'),
    infoHashV2: link.infoHashV2?.toString('hex'),
    trackers: link.trackers,
    webSeeds: link.webSeeds,
    peers: link.peers,
    selectOnly: link.selectOnly,
  });
  const row = labelled(out);
  if (link.name !== undefined) row('name', link.name);
  if (link.infoHashV1) row('info hash v1', link.infoHashV1.toString('hex'));
  if (link.infoHashV2) row('info hash v2', link.infoHashV2.toString('hex'));
  if (link.trackers.length) row('trackers', link.trackers.join(', '));
  if (link.webSeeds.length) row('web seeds', link.webSeeds.join(', '));
  if (link.peers.length) row('peers', link.peers.join(', '));
  if (link.selectOnly) row('files', link.selectOnly.join(','));
  out.line('(a magnet link carries no file list: the metadata comes from peers)');
}
