// The one-shot node under `tandem get` and `tandem share`, driven as a library: state in memory, resume data in
// `.tandem/` beside the data, the swarm's events in the order a face prints them, and a start that fails on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Node, NodeError, type NodeEvents, type SwarmEvents } from '../../src/node/index.js';
import { makeTorrent, makeTree, treeHashes } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';

async function oneShot(t: { after: (fn: () => Promise<void>) => void }): Promise<Node> {
  const node = await Node.open({ oneShot: true, listenHosts: ['127.0.0.1'], settings: { peerPort: 0 }, dht: { enabled: false, bootstrap: [] }, lsd: false });
  t.after(() => node.stop());
  await node.start();
  return node;
}

/** Resolves with the first `event` the node emits. */
function next<K extends keyof NodeEvents>(node: Node, event: K): Promise<NodeEvents[K]> {
  return new Promise((resolve) => node.once(event, resolve));
}

test('a one-shot seed and a one-shot leecher: events in order, files identical, resume data beside the data', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content');
  const { bytes } = await makeTorrent(src);
  const seed = await oneShot(t);
  const seeding = next(seed, 'swarm:ready');
  await seed.torrents.add({ metainfo: bytes, savePath: dirname(src), swarm: { trustData: true } });
  assert.equal((await seeding).source, 'resume');

  const leech = await oneShot(t);
  const seen: string[] = [];
  for (const name of ['swarm:metadata', 'swarm:ready', 'swarm:done'] as const satisfies readonly (keyof SwarmEvents)[]) leech.on(name, () => seen.push(name));
  const done = next(leech, 'swarm:done');
  const out = join(dir, 'out');
  await leech.torrents.add({ metainfo: bytes, savePath: out, peers: [`127.0.0.1:${seed.peerPort}`] });
  const { stats } = await done;
  assert.equal(stats.verifiedBytes, stats.wantedBytes);
  assert.deepEqual(seen, ['swarm:metadata', 'swarm:ready', 'swarm:done']);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  await leech.stop();
  // No database on disk; the resume data is the swarm's own file, as `get` always kept it.
  assert.deepEqual((await readdir(join(out, '.tandem'))).map((f) => f.endsWith('.resume')), [true]);
  await assert.rejects(access(join(out, 'state.db')));
});

test('a file index the torrent does not have is refused at add, as bad input', async (t) => {
  const dir = await tempDir(t);
  const { bytes } = await makeTorrent(await makeTree(dir, 'content'));
  const node = await oneShot(t);
  await assert.rejects(node.torrents.add({ metainfo: bytes, savePath: join(dir, 'o'), onlyFiles: [99] }), (err: unknown) => err instanceof NodeError && err.code === 'NODE_NO_SUCH_FILE' && err.kind === 'input');
});

test('a node that is not one-shot needs a state dir', async () => {
  await assert.rejects(Node.open({}), (err: unknown) => err instanceof NodeError && err.code === 'NODE_BAD_ARGUMENT');
});
