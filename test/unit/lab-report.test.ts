import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniformBounds } from '../../src/lab/bounds.js';
import { modeTable, parseCsv, runFloor, spread, summarise, toCsv, toMarkdown } from '../../src/lab/report.js';
import type { LabParams, RunRecord } from '../../src/lab/types.js';

function run(mode: RunRecord['mode'], clients: number, rep: number, d: number): RunRecord {
  return { mode, clients, rep, dSeconds: d, boundSeconds: 10, ratio: d / 10, serverWireBytes: 1000, serverCopies: 1.5, clientCopies: 1.1, serverUtil: 0.9, clientUtil: 0.8, cpuSeconds: 2, finishSeconds: [d - 1, d], busyFromSeconds: [1.5, 2.5], readySeconds: [0.4, NaN], serverBusyFromSeconds: 0.5, sha256Ok: true };
}

const params: LabParams = { clients: [1, 2], modes: ['cs', 'p2p'], sizeBytes: 2 * 1024 * 1024, serverUpBps: 20e6, clientUpBps: 10e6, clientDownBps: Infinity, queueMs: 100, pieceLengthBytes: 262144, reps: 3 };

test('spread: min, median (the mean of the middle two for an even count) and max', () => {
  assert.deepEqual(spread([3, 1, 2]), { min: 1, median: 2, max: 3 });
  assert.deepEqual(spread([4, 1, 2, 3]), { min: 1, median: 2.5, max: 4 });
  assert.deepEqual(spread([7]), { min: 7, median: 7, max: 7 });
});

test('the CSV has one line a run with its finish times, and reads back the same', () => {
  const runs = [run('cs', 1, 1, 12.3456), run('p2p', 2, 1, 11)];
  const csv = toCsv(runs);
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^mode,clients,rep,d_seconds,bound_seconds,d_over_bound,/);
  assert.equal(lines[1], 'cs,1,1,12.346,10.000,1.235,1000,1.500,1.100,0.900,0.800,2.00,1,11.346;12.346,1.50;2.50,0.40;nan,0.50');
  const back = parseCsv(csv);
  assert.equal(back.length, 2);
  assert.equal(back[1]!.mode, 'p2p');
  assert.deepEqual(back[1]!.finishSeconds, [10, 11]);
  assert.deepEqual(back[1]!.busyFromSeconds, [1.5, 2.5]);
  assert.deepEqual(back[1]!.readySeconds, [0.4, NaN], 'a client that printed no ready record');
  assert.equal(back[1]!.serverBusyFromSeconds, 0.5);
  assert.equal(back[0]!.sha256Ok, true);
  assert.throws(() => parseCsv('a,b\n1,2\n'), /not a runs.csv/);
  // A file written before client_copies was a column reads with NaN there.
  const old = parseCsv('mode,clients,rep,d_seconds,bound_seconds,d_over_bound,server_wire_bytes,server_copies,server_util,client_util,cpu_seconds,sha256_ok,finish_seconds\np2p,2,1,11.000,8.389,1.311,1,1.25,0.9,0.7,4.4,1,10.5;11.0\n');
  assert.equal(old[0]!.dSeconds, 11);
  assert.ok(Number.isNaN(old[0]!.clientCopies));
  assert.deepEqual(old[0]!.finishSeconds, [10.5, 11]);
  assert.deepEqual(old[0]!.busyFromSeconds, [], 'a file from before busy_from_seconds');
  assert.deepEqual(old[0]!.readySeconds, []);
  assert.ok(Number.isNaN(old[0]!.serverBusyFromSeconds));
});

test('a mode is summarised per N over its repetitions: min–median–max, one number when they agree', () => {
  const runs = [run('cs', 1, 1, 10), run('cs', 1, 2, 12), run('cs', 1, 3, 11), run('cs', 2, 1, 20), run('p2p', 1, 1, 9)];
  const rows = summarise(runs, 'cs');
  assert.deepEqual(rows.map((r) => [r.clients, r.reps]), [[1, 3], [2, 1]]);
  assert.deepEqual(rows[0]!.d, { min: 10, median: 11, max: 12 });
  const table = modeTable(rows);
  assert.match(table, /\| 1 \| 3 \| 10\.0–11\.0–12\.0 \| 10\.0 \| 1\.00–1\.10–1\.20 \| – \| 1\.50 \| 1\.10 \|/, 'no floor without the parameters');
  assert.match(table, /\| 2 \| 1 \| 20\.0 \|/);
  assert.match(table, /\| 0\.4 \/ 0\.4 \| 0\.5 \| 2\.0 \/ 2\.5 \| 2\.0 \|$/m, 'ready: 0.4 s (one client printed it); server busy from 0.5 s; clients busy from: the median client 2.0 s, the last 2.5 s');
  const never = modeTable(summarise([{ ...run('cs', 4, 1, 30), busyFromSeconds: [NaN, NaN], readySeconds: [], serverBusyFromSeconds: NaN }], 'cs'));
  assert.match(never, /\| – \| – \| – \| 2\.0 \|$/m, 'no ready record, and no uplink got busy');
});

test('with the parameters, each run is also set against its start-up floor', () => {
  const r: RunRecord = { ...run('p2p', 2, 1, 1.5), boundSeconds: uniformBounds(params.sizeBytes, 2, 20e6, 10e6).p2p, readySeconds: [0.2, 0.3] };
  const floor = runFloor(r, params);
  // Later than the bound (the clients start at 0.2 and 0.3 s, headers, a piece before forwarding), earlier than D.
  assert.ok(floor > r.boundSeconds + 0.2 && floor < 1.5, `floor ${floor}`);
  const rows = summarise([r], 'p2p', params);
  assert.equal(rows[0]!.floorRatio.median, 1.5 / floor);
  assert.ok(modeTable(rows).includes(`| ${(1.5 / floor).toFixed(2)} |`));
  // A client without a ready time (the reference programs): no floor.
  assert.ok(Number.isNaN(runFloor({ ...r, readySeconds: [0.2, NaN] }, params)));
});

test('the report has the parameters, the shaping check, the bounds, a table per mode and the plots', () => {
  const md = toMarkdown({ params, runs: [run('cs', 1, 1, 10), run('p2p', 2, 1, 9)], shaping: [{ link: 'server uplink', configuredBps: 20e6, goodputBps: 19e6, wireRatio: 0.993 }], notes: ['the machine was shared'], plots: ['distribution.svg'], command: 'tandem lab --clients 1,2' });
  for (const part of ['tandem lab --clients 1,2', 'server uplink 20 Mbit/s', '- the machine was shared', '## Shaping check', '| server uplink | 20 Mbit/s | 19 Mbit/s | 0.993 |', '## Bounds', '| 2 | 1.68 | 0.84 |', '### cs:', '### p2p:', "Every copy of every run had the file's sha256.", '![distribution.svg](distribution.svg)']) {
    assert.ok(md.includes(part), `report lacks ${part}`);
  }
  const bad = toMarkdown({ params, runs: [{ ...run('cs', 1, 1, 10), sha256Ok: false }], shaping: [], notes: [], plots: [], command: 'x' });
  assert.match(bad, /1 run\(s\) had a copy with the wrong sha256/);
});
