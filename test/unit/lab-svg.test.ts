import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distributionSvg, niceTicks, uploadSvg } from '../../src/lab/svg.js';
import type { LabParams, RunRecord } from '../../src/lab/types.js';

/** Checks what a browser refuses: unbalanced tags and an attribute given twice in one element. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, close, name, attrs, self] = m;
    const names = [...attrs!.matchAll(/\s([a-zA-Z-:]+)="/g)].map((a) => a[1]);
    assert.equal(new Set(names).size, names.length, `attribute repeated in <${name}${attrs}>`);
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
}

const params: LabParams = { clients: [1, 2, 4, 8, 16], modes: ['cs', 'p2p', 'hybrid'], sizeBytes: 20 * 1024 * 1024, serverUpBps: 20e6, clientUpBps: 10e6, clientDownBps: Infinity, queueMs: 100, pieceLengthBytes: 262144, reps: 2 };

function runs(): RunRecord[] {
  const out: RunRecord[] = [];
  for (const mode of params.modes) for (const n of params.clients) for (const rep of [1, 2]) {
    const d = mode === 'cs' ? 8.8 * n + rep : 9 + n * 0.5 + rep;
    out.push({ mode, clients: n, rep, dSeconds: d, boundSeconds: 8.4, ratio: d / 8.4, serverWireBytes: 1, serverCopies: 1, clientCopies: 1, serverUtil: 1, clientUtil: 1, cpuSeconds: 1, finishSeconds: [d], busyFromSeconds: [], readySeconds: [], serverBusyFromSeconds: NaN, sha256Ok: true });
  }
  return out;
}

test('ticks are round steps that cover the range', () => {
  assert.deepEqual(niceTicks(10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(142), [0, 50, 100, 150]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  assert.deepEqual(niceTicks(0.7, 4), [0, 0.2, 0.4, 0.6, 0.8]);
});

test('the distribution plot has a point per mode and N, both bounds and a legend, and is well formed', () => {
  const svg = distributionSvg(params, runs(), 'Measured & <checked>');
  assertWellFormed(svg);
  assert.equal((svg.match(/<circle /g) ?? []).length, 15);
  assert.match(svg, /D_cs bound/);
  assert.match(svg, /D_p2p bound/);
  assert.match(svg, /Measured &amp; &lt;checked&gt;/);
  assert.match(svg, /hybrid N=16: D=18\.50 s/);
  assert.doesNotMatch(svg, /floor/, 'no floor without the clients\' ready times');
});

test("with the clients' ready times, each mode's start-up floor is drawn dotted and named in the legend", () => {
  const withReady = runs().map((r) => ({ ...r, readySeconds: Array.from({ length: r.clients }, (_, i) => 0.2 + 0.05 * i) }));
  const svg = distributionSvg(params, withReady, 'with floors');
  assertWellFormed(svg);
  for (const mode of params.modes) assert.match(svg, new RegExp(`>${mode} floor</text>`));
  assert.equal((svg.match(/stroke-dasharray="1\.5 3" opacity="0\.8"/g) ?? []).length, 3, 'a dotted floor line per mode');
});

test('a logarithmic N axis for a simulation up to 10,000 clients', () => {
  const p = { ...params, clients: [1, 10, 100, 1000, 10000], modes: ['p2p' as const] };
  const r = p.clients.map((n) => ({ ...runs()[0]!, mode: 'p2p' as const, clients: n, dSeconds: 10 + Math.log(n) }));
  const svg = distributionSvg(p, r, 'simulated');
  assertWellFormed(svg);
  for (const n of ['1', '10', '100', '1000', '10000']) assert.match(svg, new RegExp(`>${n}</text>`));
});

test('the upload plot draws each host, the server first, and stays well formed with many clients', () => {
  const t = [0, 0.5, 1, 1.5];
  const hosts = [{ name: 'server', bytes: [0, 1e6, 2e6, 3e6] }, ...Array.from({ length: 16 }, (_, i) => ({ name: `c${i + 1}`, bytes: [0, 5e5, 1e6, 1.5e6] }))];
  const svg = uploadSvg({ tSeconds: t, hosts }, 'p2p N=16', { serverBps: 20e6, clientBps: 10e6 });
  assertWellFormed(svg);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 17);
  assert.match(svg, /8 more clients/);
});
