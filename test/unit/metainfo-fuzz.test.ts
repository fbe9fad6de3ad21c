import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TandemError } from '../../src/util/errors.js';
import { createTorrent, parseTorrent } from '../../src/metainfo/index.js';
import { mutate, xorshift } from '../fuzz/mutate.js';
import { tempDir } from '../helpers/tmp.js';
import { makeSampleTree } from '../helpers/trees.js';

// Bencode's structural bytes, spliced in by the shared mutator.
const TOKENS = [...'0123456789:ield-'];

test('fuzz: mutated v1, v2 and hybrid torrents give a parsed torrent or a typed error, nothing else', async (t) => {
  const dir = await makeSampleTree(await tempDir(t));
  const seeds = await Promise.all((['v1', 'v2', 'hybrid'] as const).map(async (version) => (await createTorrent(dir, { version, pieceLengthBytes: 16384, trackers: ['http://127.0.0.1:1/a'] })).bytes));
  const next = xorshift(0x1234567);
  let parsed = 0;
  const runs = 20_000;
  for (let i = 0; i < runs; i++) {
    const data = mutate(seeds[i % 3]!, next, TOKENS, 3);
    try {
      parseTorrent(data);
      parsed++;
    } catch (err) {
      if (!(err instanceof TandemError)) throw new Error(`untyped error for ${data.toString('base64')}: ${String(err)}`);
    }
  }
  // Mutations inside hash bytes leave a valid torrent; mutations in structure do not. Both paths ran.
  assert.ok(parsed > 0 && parsed < runs, `parsed ${parsed} of ${runs}`);
});
