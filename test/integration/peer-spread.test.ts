import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTorrent, startTorrent, whenDone } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import type { Torrent } from '../../src/swarm/index.js';

const MIB = 1024 * 1024;

/** One seed with a slow uplink and `n` leechers that all know each other; returns the copies of the file the seed sent. */
async function swarm(t: Parameters<typeof tempDir>[0], suggestPieces: number, n = 4): Promise<number> {
  const dir = await tempDir(t);
  const file = join(dir, 'data.bin');
  await writeFile(file, randomBytes(8 * MIB));
  const { meta } = await makeTorrent(file, 'v1', 64 * 1024);
  const seed = await startTorrent(t, { metainfo: meta, dir, uploadLimitBytesPerSec: 4 * MIB, config: { suggestPieces } });
  const leechers: Torrent[] = [];
  for (let i = 0; i < n; i++) {
    const peers = [{ host: '127.0.0.1', port: seed.listenPort }, ...leechers.map((l) => ({ host: '127.0.0.1', port: l.listenPort }))];
    leechers.push(await startTorrent(t, { metainfo: meta, dir: join(dir, `l${i}`), peers }));
  }
  await Promise.all(leechers.map((l) => whenDone(l, 60_000)));
  return seed.stats().uploadedBytes / meta.totalLengthBytes;
}

test('a seed spreads its pieces with BEP 6 suggestions: it sends fewer copies, the leechers trade the rest', async (t) => {
  const n = 6;
  const without = await swarm(t, 0, n);
  const withSuggestions = await swarm(t, 16, n);
  t.diagnostic(`seed copies for ${n} leechers: ${without.toFixed(2)} without suggestions, ${withSuggestions.toFixed(2)} with`);
  assert.ok(withSuggestions < without, `${withSuggestions} copies with suggestions, ${without} without`);
});
