import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, until } from '../helpers/daemon.js';
import { makeTorrent, makeTree, startTorrent, treeHashes } from '../helpers/peer-fixtures.js';
import { run, startProcess, waitForLine } from '../helpers/processes.js';
import { DEBIAN_PYTHON, requireLibtorrent } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import type { TorrentSummary } from '../../src/node/index.js';

const LT_PEER = fileURLToPath(new URL('../../../test/interop/helpers/lt_peer.py', import.meta.url));

test('daemon: several torrents at once, from a libtorrent seed and a tandem seed, on one peer port; then libtorrent leeches from the daemon', async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const fromLt = await makeTree(join(dir, 'lt'), 'from-libtorrent', 12);
  const fromTandem = await makeTree(join(dir, 'td'), 'from-tandem', 12);
  const ltTorrent = await makeTorrent(fromLt, 'v1', 32 * 1024);
  const tdTorrent = await makeTorrent(fromTandem, 'hybrid', 32 * 1024);
  await writeFile(join(dir, 'lt.torrent'), ltTorrent.bytes);
  const ltSeed = startProcess(t, DEBIAN_PYTHON, [LT_PEER, 'seed', join(dir, 'lt.torrent'), join(dir, 'lt'), '--timeout', '120']);
  const [line] = await waitForLine(ltSeed, /^\{"event": "listening".*\}$/);
  await waitForLine(ltSeed, /"event": "done"/);
  const ltPort = (JSON.parse(line) as { port: number }).port;
  const tdSeed = await startTorrent(t, { metainfo: tdTorrent.meta, dir: join(dir, 'td') });

  const dl = join(dir, 'dl');
  const daemon = await startDaemon(t, join(dir, 'state'), ['--download-dir', dl]);
  const a = await daemon.rpc<{ torrent: TorrentSummary }>('torrent.add', { metainfo: ltTorrent.bytes.toString('base64'), peers: [`127.0.0.1:${ltPort}`] });
  const b = await daemon.rpc<{ torrent: TorrentSummary }>('torrent.add', { metainfo: tdTorrent.bytes.toString('base64'), peers: [`127.0.0.1:${tdSeed.listenPort}`], labels: ['hybrid'] });
  assert.notEqual(a.torrent.id, b.torrent.id);
  await until('both downloads to complete', async () => {
    const list = await daemon.rpc<TorrentSummary[]>('torrent.list');
    return list.length === 2 && list.every((r) => r.status === 'seeding') ? list : undefined;
  }, 90_000);
  assert.deepEqual(await treeHashes(join(dl, 'from-libtorrent')), await treeHashes(fromLt));
  assert.deepEqual(await treeHashes(join(dl, 'from-tandem')), await treeHashes(fromTandem));

  const { peerPortBound } = await daemon.rpc<{ peerPortBound: number }>('session.get');
  const out = join(dir, 'lt-leech');
  const leech = await run(DEBIAN_PYTHON, [LT_PEER, 'leech', join(dir, 'lt.torrent'), out, '--peer', `127.0.0.1:${peerPortBound}`, '--timeout', '60'], { timeoutMs: 70_000 });
  // The libtorrent seed is still there too; what matters is that the daemon's port answers for its torrent.
  assert.equal(leech.code, 0, leech.stdout + leech.stderr);
  assert.deepEqual(await treeHashes(join(out, 'from-libtorrent')), await treeHashes(fromLt));
  const [row] = (await daemon.rpc<TorrentSummary[]>('torrent.list')).filter((r) => r.id === a.torrent.id);
  assert.ok(row!.uploadedBytes > 0, 'the daemon uploaded to the libtorrent leecher');
});
