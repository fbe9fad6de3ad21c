import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/tmp.js';

test("the package's public face: import { Node } from 'tandem' opens a node, adds a torrent, and closes", async (t) => {
  const lib = await import('tandem');
  const dir = await tempDir(t);
  const node = await lib.Node.open({ stateDir: dir, settings: { peerPort: 0, dht: false, lsd: false }, listenHosts: ['127.0.0.1'] });
  t.after(() => node.stop());
  await node.start();
  const events: string[] = [];
  node.on('torrent:added', ({ torrent }) => events.push(torrent.name));
  const { torrent, duplicate } = await node.torrents.add({ source: 'magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=lib', paused: true, savePath: dir });
  assert.equal(duplicate, false);
  assert.equal(torrent.name, 'lib');
  assert.deepEqual(events, ['lib']);
  assert.equal(node.torrents.list().length, 1);
  assert.equal(typeof lib.ApiServer, 'function');
});
