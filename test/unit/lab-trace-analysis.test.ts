import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseTraces, traceSection, type TraceHost } from '../../src/lab/trace-analysis.js';

const LAUNCH = 1_700_000_000_000;
const at = (s: number): number => LAUNCH + Math.round(s * 1000);
const line = (s: number, event: string, piece: number, peer = ''): string => `${at(s)} ${event} ${piece} ${peer}`;
const ADDRESSES: Record<string, string> = { '10.0.0.1': 'server', '10.0.1.1': 'c1', '10.0.1.2': 'c2' };
const hostOf = (a: string): string | undefined => ADDRESSES[a];

// A seed and two clients: c1 gets piece 0 from the seed and forwards it to c2, c2 gets piece 1 and forwards it.
const hosts: TraceHost[] = [
  { name: 'server', lines: [`origin ${at(-0.5)}`, line(0.2, 'request-received', 0, '10.0.1.1'), line(0.2, 'send-started', 0, '10.0.1.1'), line(0.3, 'request-received', 1, '10.0.1.2'), line(0.3, 'send-started', 1, '10.0.1.2')] },
  {
    name: 'c1',
    lines: [`origin ${at(0)}`, line(0.15, 'request-sent', 0, '10.0.0.1'), line(0.25, 'block-received', 0, '10.0.0.1'), line(0.5, 'verified', 0), line(0.9, 'have-received', 1, '10.0.1.2'), line(1.0, 'request-sent', 1, '10.0.1.2'), line(1.05, 'request-received', 0, '10.0.1.2'), line(1.06, 'send-started', 0, '10.0.1.2'), line(1.5, 'verified', 1)],
  },
  {
    name: 'c2',
    lines: [`origin ${at(0.01)}`, line(0.25, 'request-sent', 1, '10.0.0.1'), line(0.7, 'verified', 1), line(0.6, 'have-received', 0, '10.0.1.1'), line(0.8, 'request-sent', 0, '10.0.1.1'), line(1.2, 'request-received', 1, '10.0.1.1'), line(1.3, 'send-started', 1, '10.0.1.1'), line(1.6, 'verified', 0), 'a damaged line', ''],
  },
];

test('trace summary: first request, piece and upload per client, seconds after the launch; the seed is not a client', () => {
  const t = summariseTraces(hosts, hostOf, LAUNCH);
  assert.deepEqual([t.firstRequest.median, t.firstRequest.high, t.firstRequest.count], [0.2, 0.25, 2]);
  assert.deepEqual([t.firstPiece.median, t.firstPiece.high], [0.6, 0.7]);
  assert.ok(Math.abs(t.firstSend.median - 1.18) < 1e-9 && t.firstSend.high === 1.3, JSON.stringify(t.firstSend));
});

test('trace summary: a HAVE from its piece verified at the sender, a request from sent to received', () => {
  const t = summariseTraces(hosts, hostOf, LAUNCH);
  // HAVE 0: verified at c1 at 0.5, read at c2 at 0.6 (0.1 s); HAVE 1: verified at c2 at 0.7, read at c1 at 0.9 (0.2 s).
  assert.equal(t.haveLatency.count, 2);
  assert.ok(Math.abs(t.haveLatency.median - 0.15) < 1e-9 && Math.abs(t.haveLatency.high - 0.2) < 1e-9, JSON.stringify(t.haveLatency));
  // Requests: c1 → seed 0.05 s, c2 → seed 0.05 s, c1 → c2 0.2 s, c2 → c1 0.25 s.
  assert.equal(t.requestLatency.count, 4);
  assert.ok(Math.abs(t.requestLatency.median - 0.125) < 1e-9, JSON.stringify(t.requestLatency));
  assert.ok(Math.abs(t.requestLatency.high - 0.25) < 1e-9);
});

test('trace summary: addresses that are no host of the lab and empty traces count for nothing', () => {
  const t = summariseTraces([{ name: 'c1', lines: [line(1, 'have-received', 3, '192.0.2.9'), line(1.1, 'request-sent', 3, '192.0.2.9')] }, { name: 'c2', lines: [] }], hostOf, LAUNCH);
  assert.equal(t.haveLatency.count, 0);
  assert.ok(Number.isNaN(t.haveLatency.median));
  assert.equal(t.requestLatency.count, 0);
  assert.deepEqual([t.firstRequest.median, t.firstRequest.count], [1.1, 1], 'a client that never asked is left out of the spread');
});

test("trace summary: the server's pieces per client, a client it never served counted as 0", () => {
  assert.deepEqual(summariseTraces(hosts, hostOf, LAUNCH).serverPieces, { min: 1, median: 1, max: 1 });
  const favouring: TraceHost[] = [
    { name: 'server', lines: [0, 1, 2, 3, 4].map((p) => line(0.1 * p, 'send-started', p, '10.0.1.1')).concat(line(0.6, 'send-started', 5, '10.0.1.2'), line(0.7, 'request-received', 6, '10.0.1.2'), line(0.8, 'send-started', 7, '192.0.2.9')) },
    { name: 'c1', lines: [] },
    { name: 'c2', lines: [] },
    { name: 'c3', lines: [] },
  ];
  assert.deepEqual(summariseTraces(favouring, (a) => ({ ...ADDRESSES, '10.0.1.3': 'c3' })[a], LAUNCH).serverPieces, { min: 0, median: 1, max: 5 });
  assert.ok(Number.isNaN(summariseTraces([{ name: 'server', lines: [] }], hostOf, LAUNCH).serverPieces.median), 'no clients, no spread');
});

test('trace section: one row per traced run, times in s and latencies in ms; none without traces', () => {
  const trace = summariseTraces(hosts, hostOf, LAUNCH);
  const section = traceSection([{ mode: 'cs', clients: 2, rep: 1 }, { mode: 'p2p', clients: 2, rep: 1, trace }])!;
  assert.match(section, /^## Piece timelines \(--trace\)/);
  assert.ok(section.includes('| p2p | 2 | 1 | 0.20 / 0.25 | 0.60 / 0.70 | 1.18 / 1.30 | 150 / 200 | 125 / 250 | 1 / 1 / 1 |'), section);
  assert.equal(section.split('\n').filter((l) => l.startsWith('| cs')).length, 0);
  assert.equal(traceSection([{ mode: 'p2p', clients: 2, rep: 1 }]), undefined);
});
