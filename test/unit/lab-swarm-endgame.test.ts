// The end-game rule the lab's measurements asked for (issue 13): duplicate requests only once every block the
// torrent still needs is requested from someone, never while a peer merely has nothing new for us.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../src/wire/index.js';
import { PiecePicker } from '../../src/swarm/picker.js';
import { Requester } from '../../src/swarm/requests.js';
import { PieceBuffers } from '../../src/swarm/piece-buffers.js';

function setup(pieces: number): { p: PiecePicker; r: Requester } {
  const p = new PiecePicker(pieces, { randomFirstPieces: 0, sequential: true, random: () => 0.5 });
  const r = new Requester(p, { blockBytes: 16384, pieceSize: () => 65536, maxPartialBytes: 1 << 30, buffers: new PieceBuffers(65536, 1 << 24) });
  return { p, r };
}

function only(pieces: number, ...have: number[]): Bitfield {
  const b = new Bitfield(pieces);
  for (const i of have) b.set(i);
  return b;
}

test('end game waits while other pieces of the torrent are unrequested, even for a peer with nothing new', () => {
  const { p, r } = setup(3);
  assert.equal(r.next('B', 'all', 4, 0).length, 4, 'B takes piece 0');
  // A has only piece 0, all of it requested from B: pieces 1 and 2 are not requested yet, so no duplicates.
  assert.deepEqual(r.next('A', only(3, 0), 4, 0), []);
  assert.equal(r.allRequested(), false);
  assert.equal(p.allStarted(), false);
  // Once B has asked for every block of the torrent, A may duplicate.
  assert.equal(r.next('B', 'all', 8, 0).length, 8);
  assert.equal(r.allRequested(), true);
  assert.deepEqual(r.next('A', only(3, 0), 4, 0).map((q) => `${q.index}:${q.begin / 16384}`), ['0:0', '0:1', '0:2', '0:3']);
});

test('end game waits for the unrequested blocks of a started piece too', () => {
  const { r } = setup(1);
  assert.equal(r.next('B', 'all', 2, 0).length, 2, 'B asks for half of the only piece');
  // A can still take the other half (not a duplicate), and only then duplicates.
  assert.deepEqual(r.next('A', 'all', 4, 0).map((q) => q.begin / 16384), [2, 3]);
  assert.equal(r.allRequested(), true);
  assert.deepEqual(r.next('A', 'all', 4, 0).map((q) => q.begin / 16384), [0, 1]);
});
