import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniformBounds } from '../../src/lab/bounds.js';
import { choosePiece, chooseTransfer, newSwarm, PAYLOAD_EFFICIENCY, simPieceBytes, simulate, simulateClientServer, type SimConfig } from '../../src/lab/simulate.js';
import { agreement, seededRandom, simConfig } from '../../src/lab/simulate-lab.js';
import type { LabParams, RunRecord } from '../../src/lab/types.js';

const MiB = 1024 * 1024;

function config(over: Partial<SimConfig> = {}): SimConfig {
  return { mode: 'p2p', clients: 4, fileBytes: 20 * MiB, pieceBytes: 256 * 1024, serverUpBps: 20e6, clientUpBps: 10e6, clientDownBps: Infinity, slots: 8, maxPeers: 50, seedPolicy: 'receiver-rarest', clientPolicy: 'random', startupS: () => 0, random: seededRandom(1), ...over };
}

/**
 * A swarm written as strings (STYLE.md 8): one string per host, server first, one char per piece: 1 has it,
 * 0 lacks it, c is coming.
 */
function swarm(hosts: string[], over: Partial<SimConfig> = {}): ReturnType<typeof newSwarm> {
  const P = hosts[0]!.length;
  const s = newSwarm(config({ clients: hosts.length - 1, fileBytes: P * 1000, pieceBytes: 1000, ...over }));
  hosts.forEach((row, h) => {
    s.joined[h] = 1;
    s.haveCount[h] = 0;
    for (let p = 0; p < P; p++) {
      s.have[h * P + p] = row[p] === '1' ? 1 : 0;
      s.coming[h * P + p] = row[p] === 'c' ? 1 : 0;
      if (row[p] === '1') {
        s.haveCount[h]!++;
        if (h > 0) s.copies[p]!++;
      }
    }
  });
  return s;
}

test('client-server: N clients share the uplink, so D is N·F over the payload rate', () => {
  const r = simulateClientServer(config({ mode: 'cs', clients: 8 }));
  const expected = (8 * 20 * MiB) / ((20e6 * PAYLOAD_EFFICIENCY) / 8);
  assert.ok(Math.abs(r.dSeconds - expected) < 1e-6, `${r.dSeconds} vs ${expected}`);
  assert.equal(r.serverCopies, 8);
  // Everyone finishes together when they start together.
  assert.ok(r.finishSeconds.every((f) => Math.abs(f - expected) < 1e-6));
});

test('client-server: a late client finishes later, and a slow downlink caps each share', () => {
  const staggered = simulateClientServer(config({ mode: 'cs', clients: 2, startupS: (_n, i) => i * 4 }));
  assert.ok(staggered.finishSeconds[0]! < staggered.finishSeconds[1]!);
  const capped = simulateClientServer(config({ mode: 'cs', clients: 1, clientDownBps: 5e6 }));
  assert.ok(Math.abs(capped.dSeconds - (20 * MiB * 8) / (5e6 * PAYLOAD_EFFICIENCY)) < 1e-6);
});

test('rarest first: a client sends the piece fewest clients have; the fewest-sent seed the piece it sent least', () => {
  //             pieces: 0123
  const s = swarm(['1111', '1110', '1000', '0000', '0100']);
  // Host 1 can give host 3 pieces 0, 1, 2: piece 2 has one copy (host 1), piece 0 two, piece 1 three.
  assert.equal(choosePiece(s, 1, 3), 2);
  // Nothing host 2 has that host 1 lacks.
  assert.equal(choosePiece(s, 2, 1), -1);
  // A coming piece is not sent again.
  const c = swarm(['1111', '11c0', '0000']);
  assert.equal(choosePiece(c, 0, 1), 3);
  const f = swarm(['1111', '0000', '0000'], { seedPolicy: 'fewest-sent' });
  f.sentByServer.set([3, 1, 0, 2]);
  assert.equal(choosePiece(f, 0, 1), 2);
});

test('a free slot finds a receiver that needs something, or none when nobody it knows does', () => {
  const s = swarm(['1111', '1111', '1111', '0111']);
  const [to, piece] = chooseTransfer(s, 1);
  assert.deepEqual([to, piece], [3, 0]);
  const full = swarm(['1111', '1111', '1111']);
  assert.deepEqual(chooseTransfer(full, 1), [-1, -1]);
  // least-complete picks the client with fewest pieces.
  const lc = swarm(['1111', '1111', '1100', '1000'], { clientPolicy: 'least-complete' });
  assert.equal(chooseTransfer(lc, 1)[0], 3);
});

test('one client: the swarm is the server sending the file once, at its payload rate, after start-up', () => {
  const r = simulate(config({ clients: 1, startupS: () => 0.5 }));
  assert.ok(Math.abs(r.dSeconds - (0.5 + (20 * MiB * 8) / (20e6 * PAYLOAD_EFFICIENCY))) < 1e-3, String(r.dSeconds));
  assert.ok(Math.abs(r.serverCopies - 1) < 1e-9);
});

test('p2p and hybrid stay above the bound and below client-server, the seed sends more than one copy but far fewer than N', () => {
  for (const mode of ['p2p', 'hybrid'] as const) {
    for (const n of [2, 4, 16]) {
      const r = simulate(config({ mode, clients: n, seedPolicy: mode === 'hybrid' ? 'fewest-sent' : 'receiver-rarest' }));
      const b = uniformBounds(20 * MiB, n, 20e6, 10e6);
      assert.ok(r.dSeconds >= b.p2p, `${mode} N=${n}: D ${r.dSeconds} under the bound ${b.p2p}`);
      assert.ok(r.dSeconds < b.cs || n <= 2, `${mode} N=${n}: D ${r.dSeconds} not under D_cs ${b.cs}`);
      assert.ok(r.serverCopies >= 1 && r.serverCopies < n, `${mode} N=${n}: ${r.serverCopies} copies`);
      assert.ok(r.finishSeconds.every(Number.isFinite), 'every client finishes');
      assert.ok(r.serverUtil <= 1 + 1e-9 && r.clientUtil <= 1 + 1e-9);
    }
  }
});

test('the same seed gives the same run; the simulation of 1,000 clients takes well under seconds', () => {
  const a = simulate(config({ clients: 16, random: seededRandom(7) }));
  const b = simulate(config({ clients: 16, random: seededRandom(7) }));
  assert.deepEqual(a, b);
  const t0 = performance.now();
  const big = simulate(config({ clients: 1000, startupS: () => 0.5 }));
  assert.ok(big.finishSeconds.every(Number.isFinite));
  assert.ok(performance.now() - t0 < 5000);
});

test('pieces are coarsened only when N × pieces would be slow', () => {
  assert.equal(simPieceBytes(config({ clients: 16, pieceBytes: 16384 })), 16384);
  assert.equal(simPieceBytes(config({ clients: 10_000, pieceBytes: 16384 })), 131072);
});

test('agreement compares the medians of each mode and N up to 16', () => {
  const rec = (mode: RunRecord['mode'], clients: number, d: number): RunRecord => ({ mode, clients, rep: 1, dSeconds: d, boundSeconds: 1, ratio: d, serverWireBytes: 0, serverCopies: 1, clientCopies: 1, serverUtil: 1, clientUtil: 1, cpuSeconds: 0, finishSeconds: [d], busyFromSeconds: [], readySeconds: [], serverBusyFromSeconds: NaN, sha256Ok: true });
  const a = agreement([rec('cs', 1, 10), rec('p2p', 1, 10), rec('p2p', 32, 10)], [rec('cs', 1, 10.5), rec('p2p', 1, 13), rec('p2p', 32, 1)]);
  assert.equal(a.lines[0], 'simulation against measurement: 1 of 2 (mode, N) cells within 10% of the measured median D');
  assert.match(a.table, /\| p2p \| 1 \| 13\.00 \| 10\.00 \| 0\.77 \|/);
  const params: LabParams = { clients: [1], modes: ['hybrid'], sizeBytes: 20 * MiB, serverUpBps: 20e6, clientUpBps: 10e6, clientDownBps: Infinity, queueMs: 100, pieceLengthBytes: 262144, reps: 1 };
  // serve --seed picks its own piece length: 16 KiB for 20 MiB.
  assert.equal(simConfig(params, 'hybrid', 4, 1).pieceBytes, 16384);
  assert.equal(simConfig(params, 'p2p', 4, 1).pieceBytes, 262144);
});
