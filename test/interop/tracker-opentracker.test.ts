// tandem's tracker clients against Debian's opentracker, over HTTP and UDP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpAnnounce, httpScrape, TrackerClient, UdpTrackerClient, type AnnounceRequest } from '../../src/tracker/index.js';
import { startOpentracker } from '../helpers/tracker-opentracker.js';

const IH = Buffer.alloc(20, 0x42);
const IH2 = Buffer.alloc(20, 0x43);

function req(n: number, over: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return { infoHash: IH, peerId: Buffer.alloc(20, n), port: 20_000 + n, uploaded: 0, downloaded: 0, left: 10, event: 'started', numwant: 50, ...over };
}

test('HTTP announce and scrape against opentracker', async (t) => {
  const ot = await startOpentracker(t, [IH, IH2]);
  await httpAnnounce(ot.http, req(1, { left: 0 }));
  const r = await httpAnnounce(ot.http, req(2));
  assert.ok(r.intervalS > 0);
  assert.ok(r.peers.some((p) => p.host === '127.0.0.1' && p.port === 20_001), JSON.stringify(r.peers));
  assert.deepEqual(await httpScrape(ot.http, [IH]), [{ infoHash: IH, complete: 1, downloaded: 0, incomplete: 1 }]);
  await httpAnnounce(ot.http, req(2, { event: 'completed', left: 0 }));
  await httpAnnounce(ot.http, req(1, { event: 'stopped', left: 0 }));
  assert.deepEqual(await httpScrape(ot.http, [IH]), [{ infoHash: IH, complete: 1, downloaded: 1, incomplete: 0 }]);
  // A torrent off its whitelist is refused: a typed error, not a hang.
  await assert.rejects(httpAnnounce(ot.http, req(3, { infoHash: Buffer.alloc(20, 1) }), { timeoutMs: 2000 }), (e: unknown) => typeof (e as { code?: string }).code === 'string');
});

test('UDP announce and scrape against opentracker (BEP 15)', async (t) => {
  const ot = await startOpentracker(t, [IH2]);
  const c = new UdpTrackerClient(ot.udp, { retryBaseMs: 200, maxRetries: 3 });
  t.after(() => c.close());
  await c.announce(req(1, { infoHash: IH2, left: 0 }));
  const r = await c.announce(req(2, { infoHash: IH2 }));
  assert.ok(r.intervalS > 0);
  assert.ok(r.peers.some((p) => p.port === 20_001), JSON.stringify(r.peers));
  assert.deepEqual([r.complete, r.incomplete], [1, 1]);
  assert.deepEqual(await c.scrape([IH2]), [{ infoHash: IH2, complete: 1, downloaded: 0, incomplete: 1 }]);
  await c.announce(req(2, { infoHash: IH2, event: 'stopped' }));
  assert.deepEqual(await c.scrape([IH2]), [{ infoHash: IH2, complete: 1, downloaded: 0, incomplete: 0 }]);
});

test('the announce scheduler against opentracker: started, completed and stopped over UDP, HTTP as a fallback tier', async (t) => {
  const ot = await startOpentracker(t, [IH]);
  let left = 10;
  const c = new TrackerClient({ infoHash: IH, peerId: Buffer.alloc(20, 9), port: 20_009, tiers: [[ot.udp], [ot.http]], udpRetryBaseMs: 200 }, { stats: () => ({ uploaded: 0, downloaded: 10 - left, left }) });
  const errors: string[] = [];
  c.on('error', (e) => errors.push(e.error.message));
  const announced = new Promise((r) => c.on('announce', r));
  c.start();
  await announced;
  const probe = new UdpTrackerClient(ot.udp, { retryBaseMs: 200 });
  t.after(() => probe.close());
  assert.deepEqual((await probe.scrape([IH]))[0]!.incomplete, 1);
  left = 0;
  const done = new Promise<void>((r) => c.on('announce', (a) => a.event === 'completed' && r()));
  c.completed();
  await done;
  assert.deepEqual(await probe.scrape([IH]), [{ infoHash: IH, complete: 1, downloaded: 1, incomplete: 0 }]);
  await c.stop();
  assert.deepEqual(await probe.scrape([IH]), [{ infoHash: IH, complete: 0, downloaded: 1, incomplete: 0 }]);
  assert.deepEqual(errors, []);
});
