// Issue 6, end to end: a loopback DHT of tandem and libtorrent nodes bootstrapped from one another, and magnet
// links with no tracker and no peer address (no tr=, no x.pe=) that are resolved through it alone.
// (1) a libtorrent seed announces; `tandem get MAGNET --dht-bootstrap ...` finds it, fetches metadata and files.
// (2) `tandem share --dht-bootstrap ...` announces; a libtorrent session given only the magnet downloads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTorrent, makeTree, treeHashes } from '../helpers/peer-fixtures.js';
import { run, startProcess, TANDEM_ARGV } from '../helpers/processes.js';
import { DEBIAN_PYTHON, requireLibtorrent } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import { endpoint, libtorrentDhtNode, LT_PEER_PY, lookupUntil, readLines, tandemBounded, tandemDhtNetwork } from './helpers/dht-network.js';

const bareMagnet = (infoHashHex: string, name: string): string => `magnet:?xt=urn:btih:${infoHashHex}&dn=${name}`;

test('magnets with no tracker and no peer resolve through a mixed tandem/libtorrent loopback DHT', { timeout: 170_000 }, async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const tandems = await tandemDhtNetwork(t, 3);
  const lt = [await libtorrentDhtNode(t, 'node', endpoint(tandems[0]!)), await libtorrentDhtNode(t, 'node', endpoint(tandems[1]!))];
  await Promise.all(lt.map((n) => n.line(/^bootstrapped/, 60_000)));
  await Promise.all(tandems.map((n) => n.bootstrap())); // tandem's tables now hold the libtorrent nodes too
  const ltPorts = new Set(lt.map((n) => n.port));
  assert.ok(tandems.some((n) => n.nodes().some((c) => ltPorts.has(c.port))), 'no libtorrent node in any tandem routing table');

  await t.test('(1) libtorrent seeds and announces; tandem get of the bare magnet finds it and downloads', async () => {
    const src = await makeTree(dir, 'from-libtorrent');
    const { bytes, meta } = await makeTorrent(src, 'v1', 16 * 1024);
    const file = join(dir, 'from-libtorrent.torrent');
    await writeFile(file, bytes);
    const seed = startProcess(t, DEBIAN_PYTHON, [LT_PEER_PY, 'seed', file, dir, '--dht', endpoint(tandems[2]!), '--timeout', '160']);
    const seedLines = readLines(seed, 'libtorrent seed');
    await seedLines.line(/"event": "done"/, 30_000); // its files are checked: it has every piece to give
    // Wait for the announce to land (a bounded condition, not a sleep), so the get below has something to find.
    const ih = meta.infoHashV1!;
    const seen = await lookupUntil(tandems[1]!, ih, () => true, 60_000);
    assert.ok(seen.length > 0, 'the libtorrent seed never appeared in the DHT');
    const magnet = bareMagnet(ih.toString('hex'), 'from-libtorrent');
    // tandem bootstraps from a libtorrent node: its whole view of the DHT comes through libtorrent.
    const r = await tandemBounded(['get', magnet, '-o', join(dir, 'got'), '--json', '--dht-bootstrap', `127.0.0.1:${lt[0]!.port}`], 120_000);
    assert.equal(r.code, 0, `${r.timedOut ? 'killed after 120 s; ' : ''}seed ${JSON.stringify(seen)}\n${r.stdout.slice(-3000)}${r.stderr}`);
    assert.match(r.stdout, /"event":"metadata","name":"from-libtorrent"/);
    assert.deepEqual(await treeHashes(join(dir, 'got', 'from-libtorrent')), await treeHashes(src));
  });

  await t.test('(2) tandem share announces; libtorrent given only the bare magnet finds it and downloads', async () => {
    const src = await makeTree(dir, 'from-tandem');
    const share = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--json', '--dht-bootstrap', `127.0.0.1:${lt[1]!.port}`]);
    const seeding = await readLines(share, 'tandem share').line(/^\{.*"event":"seeding".*\}$/, 30_000);
    const { infoHash, port } = JSON.parse(seeding[0]) as { infoHash: string; port: number };
    const seen = await lookupUntil(tandems[0]!, Buffer.from(infoHash, 'hex'), (p) => p === `127.0.0.1:${port}`, 60_000);
    assert.ok(seen.includes(`127.0.0.1:${port}`), `tandem share's announce not found: ${JSON.stringify(seen)}`);
    const out = join(dir, 'lt-got');
    const r = await run(DEBIAN_PYTHON, [LT_PEER_PY, 'leech', bareMagnet(infoHash, 'from-tandem'), out, '--dht', endpoint(tandems[2]!), '--timeout', '100'], { timeoutMs: 110_000 });
    assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
    assert.deepEqual(await treeHashes(join(out, 'from-tandem')), await treeHashes(src));
  });
});
