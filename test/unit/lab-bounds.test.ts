import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundClientServer, boundPeerToPeer, startupFloor, uniformBounds, type FloorInput } from '../../src/lab/bounds.js';
import { parseClientCounts, parseModes, parseRate, tcRate } from '../../src/lab/units.js';
import { queueBytes, clientIp } from '../../src/lab/netns.js';
import { parseNetDev } from '../../src/lab/counters.js';

const MiB = 1024 * 1024;

test('D_cs is N·F/u_s while the server is the bottleneck, F/d_min once a downlink is slower', () => {
  const f = 20 * MiB * 8;
  assert.equal(boundClientServer({ fileBits: f, clients: 4, serverUpBps: 20e6, clientUpBps: [], minDownBps: Infinity }), (4 * f) / 20e6);
  assert.equal(boundClientServer({ fileBits: f, clients: 1, serverUpBps: 20e6, clientUpBps: [], minDownBps: 5e6 }), f / 5e6);
});

test('D_p2p takes the largest of F/u_s, F/d_min and N·F/(u_s + Σu_i)', () => {
  const f = 20 * MiB * 8;
  // One client: the server must send the whole file.
  assert.equal(uniformBounds(20 * MiB, 1, 20e6, 10e6).p2p, f / 20e6);
  // Two clients: 2F/(20+20) = F/20, the same as F/u_s.
  assert.equal(uniformBounds(20 * MiB, 2, 20e6, 10e6).p2p, f / 20e6);
  // Sixteen: 16F/(20 + 160) Mbit/s.
  assert.ok(Math.abs(uniformBounds(20 * MiB, 16, 20e6, 10e6).p2p - (16 * f) / 180e6) < 1e-9);
  // A slow downlink dominates.
  assert.equal(boundPeerToPeer({ fileBits: f, clients: 16, serverUpBps: 20e6, clientUpBps: new Array<number>(16).fill(10e6), minDownBps: 1e6 }), f / 1e6);
  // Uneven uplinks add up.
  assert.equal(boundPeerToPeer({ fileBits: 8e6, clients: 3, serverUpBps: 2e6, clientUpBps: [1e6, 2e6, 0], minDownBps: Infinity }), (3 * 8e6) / 5e6);
});

test('the bounds of the lab defaults: 8.39 s for one client, D_cs 134 s and D_p2p 14.9 s for sixteen', () => {
  const b1 = uniformBounds(20 * MiB, 1, 20e6, 10e6);
  const b16 = uniformBounds(20 * MiB, 16, 20e6, 10e6);
  assert.equal(b1.cs.toFixed(2), '8.39');
  assert.equal(b16.cs.toFixed(1), '134.2');
  assert.equal(b16.p2p.toFixed(2), '14.91');
  // The bounds are curves: a fractional N is fine (the plots draw them through it).
  assert.ok(uniformBounds(20 * MiB, 1.5, 20e6, 10e6).cs > b1.cs);
});

test('the start-up floor is the bound when everyone starts at once, with no headers and no piece to wait for', () => {
  const f = 20 * MiB * 8;
  const at0 = (n: number, swarm: boolean): FloorInput => ({ fileBits: f, clients: n, serverUpBps: 20e6, clientUpBps: new Array<number>(n).fill(10e6), minDownBps: Infinity, readySeconds: new Array<number>(n).fill(0), pieceBits: 0, swarm, payloadPerWireBit: 1 });
  for (const n of [1, 2, 4, 16]) {
    const b = uniformBounds(20 * MiB, n, 20e6, 10e6);
    assert.ok(Math.abs(startupFloor(at0(n, true)) - b.p2p) < 1e-9, `p2p, N = ${n}`);
    assert.ok(Math.abs(startupFloor(at0(n, false)) - b.cs) < 1e-9, `cs, N = ${n}`);
  }
  // Headers: the links carry payload at 1448/1514 of their rate, so every term grows by the inverse.
  const k = 1448 / 1514;
  assert.ok(Math.abs(startupFloor({ ...at0(16, true), payloadPerWireBit: k }) - uniformBounds(20 * MiB, 16, 20e6, 10e6).p2p / k) < 1e-9);
});

test('the start-up floor counts each uplink only from its host\'s start, and a client\'s only once it holds a piece', () => {
  // F = 100 bits to 2 clients, server 20 bit/s, clients 10: the bound is max(100/20, 200/40) = 5 s.
  const late: FloorInput = { fileBits: 100, clients: 2, serverUpBps: 20, clientUpBps: [10, 10], minDownBps: Infinity, readySeconds: [0, 5], pieceBits: 0, swarm: true, payloadPerWireBit: 1 };
  // 0-5 s: server and client 1, 30 bit/s, 150 bits; then 40 bit/s for the last 50: 6.25 s.
  assert.ok(Math.abs(startupFloor(late) - 6.25) < 1e-9);
  // A 10-bit piece at the server's 40 bit/s: clients forward from 0.25 s. 0-0.25 s: 10 bits; then 60 bit/s for 190.
  const piece: FloorInput = { ...late, serverUpBps: 40, readySeconds: [0, 0], pieceBits: 10 };
  assert.ok(Math.abs(startupFloor(piece) - (0.25 + 190 / 60)) < 1e-9);
  // The server sends every bit once from the first client's start: here that is what binds (1 + 100/20 = 6 s).
  assert.equal(startupFloor({ ...late, readySeconds: [1, 1] }), 6);
  // Client-server: N·F from the first start, or the last client's own copy through its downlink.
  assert.equal(startupFloor({ ...late, swarm: false, readySeconds: [2, 3] }), 2 + 200 / 20);
  assert.equal(startupFloor({ ...late, swarm: false, minDownBps: 5, readySeconds: [0, 3] }), 3 + 100 / 5);
  // Without every client's start it says nothing.
  assert.ok(Number.isNaN(startupFloor({ ...late, readySeconds: [0, NaN] })));
  assert.ok(Number.isNaN(startupFloor({ ...late, readySeconds: [] })));
});

test('rates parse in tc units, and lists of clients and modes are checked', () => {
  assert.equal(parseRate('20mbit', '--x'), 20e6);
  assert.equal(parseRate('512kbit', '--x'), 512e3);
  assert.equal(parseRate('2mbps', '--x'), 16e6);
  assert.throws(() => parseRate('20', '--x'), /not a rate/);
  assert.throws(() => parseRate('1bit', '--x'), /outside/);
  assert.equal(tcRate(20e6), '20000kbit');
  assert.deepEqual(parseClientCounts('1,2,4,2', 64), [1, 2, 4]);
  assert.throws(() => parseClientCounts('0', 64), /whole number/);
  assert.throws(() => parseClientCounts('65', 64), /whole number/);
  assert.deepEqual(parseModes('p2p,cs'), ['p2p', 'cs']);
  assert.throws(() => parseModes('cs,ftp'), /not one of/);
});

test('a queue holds its ms of the rate, but never less than two GSO segments; client addresses stay in 10.77/16', () => {
  assert.equal(queueBytes(20e6, 100), 250_000);
  assert.equal(queueBytes(1e6, 100), 131_072);
  assert.equal(clientIp(1), '10.77.1.1');
  assert.equal(clientIp(250), '10.77.1.250');
  assert.equal(clientIp(251), '10.77.2.1');
});

test('the counters of /proc/net/dev: receive and transmit bytes of each interface', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
   br0:     152       2    0    0    0     0          0         2      414       5    0    0    0     0       0          0
     s: 21234567  1000    0    0    0     0          0         0      344       4    0    0    0     0       0          0`;
  const c = parseNetDev(text);
  assert.deepEqual(c.get('s'), { rx: 21234567, tx: 344 });
  assert.deepEqual(c.get('br0'), { rx: 152, tx: 414 });
  assert.equal(c.size, 3);
});
