// Two `tandem tracker` processes sharing one Redis serve one swarm: a peer that announced to one is returned by
// the other, over either transport, and their counts agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { httpAnnounce, httpScrape, UdpTrackerClient } from '../../src/tracker/index.js';
import { startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { startRedis, startRedisOn } from '../helpers/tracker-redis.js';
import { freeTcpPort } from '../helpers/ports.js';

const IH = Buffer.alloc(20, 0x3c);

async function tracker(t: Parameters<typeof startProcess>[0], store: string): Promise<{ http: string; udp: string }> {
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'tracker', '--http', '127.0.0.1:0', '--udp', '127.0.0.1:0', '--store', store]);
  const [http, udp] = await Promise.all([waitForLine(child, /tracker http listening on (\S+)/), waitForLine(child, /tracker udp listening on (\S+)/)]);
  return { http: http[1]!, udp: udp[1]! };
}

test('two tandem tracker processes sharing one Redis serve one swarm', async (t) => {
  const redis = await startRedis(t);
  const [a, b] = await Promise.all([tracker(t, redis), tracker(t, redis)]);
  const base = { infoHash: IH, uploaded: 0, downloaded: 0, event: 'started' as const };
  await httpAnnounce(a.http, { ...base, peerId: Buffer.alloc(20, 1), port: 11_111, left: 0 });
  const fromB = await httpAnnounce(b.http, { ...base, peerId: Buffer.alloc(20, 2), port: 22_222, left: 7 });
  assert.deepEqual(fromB.peers, [{ host: '127.0.0.1', port: 11_111, family: 4 }]);
  const udpA = new UdpTrackerClient(a.udp, { retryBaseMs: 300, maxRetries: 3 });
  t.after(() => udpA.close());
  const viaUdp = await udpA.announce({ ...base, peerId: Buffer.alloc(20, 3), port: 33_333, left: 7 });
  assert.deepEqual(viaUdp.peers.map((p) => p.port).sort(), [11_111, 22_222]);
  assert.deepEqual([viaUdp.complete, viaUdp.incomplete], [1, 2]);
  await httpAnnounce(b.http, { ...base, peerId: Buffer.alloc(20, 1), port: 11_111, left: 0, event: 'stopped' });
  assert.deepEqual(await httpScrape(a.http, [IH]), [{ infoHash: IH, complete: 0, downloaded: 0, incomplete: 2 }]);
  const metrics = await (await fetch(a.http.replace('/announce', '/metrics'))).text();
  assert.match(metrics, /^tandem_tracker_peers\{state="leecher"\} 2$/m, 'the stats come from the shared store');
});

test('a tracker outlives a Redis restart: "try later" while Redis is down, served again once it is back', async (t) => {
  const port = await freeTcpPort();
  let redis = await startRedisOn(t, port);
  const a = await tracker(t, `redis://127.0.0.1:${port}`);
  const base = { infoHash: IH, uploaded: 0, downloaded: 0, event: 'started' as const, port: 11_111, left: 0 };
  await httpAnnounce(a.http, { ...base, peerId: Buffer.alloc(20, 1) });

  const gone = new Promise((resolve) => redis.once('exit', resolve));
  redis.kill('SIGKILL');
  await gone;
  // Fails at once with a reason a client shows (no request held open until Redis returns).
  await assert.rejects(httpAnnounce(a.http, { ...base, peerId: Buffer.alloc(20, 2) }), /tracker is unavailable, try later/);

  redis = await startRedisOn(t, port);
  // The store reconnects by itself (backoff capped at 2 s); the scripts are loaded again on first use.
  let answer: Awaited<ReturnType<typeof httpAnnounce>> | undefined;
  for (let attempt = 0; attempt < 50 && !answer; attempt++) {
    answer = await httpAnnounce(a.http, { ...base, peerId: Buffer.alloc(20, 3), left: 5 }).catch(() => undefined);
    if (!answer) await delay(200);
  }
  assert.ok(answer, 'the tracker never served again after Redis came back');
  assert.equal(answer.incomplete, 1, 'the restarted Redis is empty: only this leecher');
});
