// The announce scheduler and the UDP client, against real loopback servers; time is a fake clock where the
// test must step it, and real (short) timers where retransmission itself is under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { encode, type BInput } from '../../src/bencode/index.js';
import { TrackerClient, TrackerServer, UdpTrackerClient, type Clock, type TrackerClientEvents, type TrackerError } from '../../src/tracker/index.js';
import { freeUdpPort } from '../helpers/ports.js';

class FakeClock implements Clock {
  t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.timers.set(++this.seq, { at: this.t + ms, fn });
    return this.seq;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  /** The delay of the earliest pending timer. */
  next(): number | undefined {
    const ats = [...this.timers.values()].map((x) => x.at - this.t);
    return ats.length ? Math.min(...ats) : undefined;
  }
  advance(ms: number): void {
    this.t += ms;
    for (const [id, x] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (x.at <= this.t) {
        this.timers.delete(id);
        x.fn();
      }
    }
  }
}

/** A real HTTP tracker whose answers the test scripts, recording every announce's query. */
async function scriptedTracker(t: { after: (fn: () => void) => void }, answer: (q: URLSearchParams) => BInput) {
  const seen: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    seen.push(q);
    res.end(encode(answer(q)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/announce`, seen };
}

function next<K extends keyof TrackerClientEvents>(c: TrackerClient, name: K): Promise<TrackerClientEvents[K]> {
  return new Promise((resolve) => {
    const fn = (d: TrackerClientEvents[K]): void => {
      c.off(name, fn);
      resolve(d);
    };
    c.on(name, fn);
  });
}

/** Lets the scheduler finish the turn in which it emitted an event (it schedules the next announce after). */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

const INIT = { infoHash: Buffer.alloc(20, 7), peerId: Buffer.alloc(20, 8), port: 6881 };
const stats = (): { uploaded: number; downloaded: number; left: number } => ({ uploaded: 1, downloaded: 2, left: 3 });

test('scheduler: started, re-announce on interval, completed, min interval, trackerid, stopped', async (t) => {
  const tr = await scriptedTracker(t, () => ({ interval: 120, 'min interval': 60, 'tracker id': 'TID', peers: Buffer.from([127, 0, 0, 1, 0x1a, 0xe2]) }));
  const clock = new FakeClock();
  const c = new TrackerClient({ ...INIT, tiers: [[tr.url]] }, { stats, clock });
  c.start();
  assert.deepEqual(c.status(), { announcing: undefined, next: { url: tr.url, atMs: 0 } }, 'the first announce is due at once');
  const peers = next(c, 'peers');
  clock.advance(0);
  assert.deepEqual(c.status(), { announcing: tr.url, next: undefined }, 'under way');
  assert.deepEqual((await peers).peers, [{ host: '127.0.0.1', port: 6882, family: 4 }]);
  await settle();
  assert.deepEqual(c.status(), { announcing: undefined, next: { url: tr.url, atMs: 120_000 } }, 'the next one, for a face');
  assert.equal(tr.seen[0]!.get('event'), 'started');
  assert.equal(tr.seen[0]!.get('left'), '3');
  assert.equal(tr.seen[0]!.get('compact'), '1');
  assert.match(tr.seen[0]!.get('key') ?? '', /^[0-9a-f]{8}$/);
  assert.equal(clock.next(), 120_000, 'the next announce waits the interval');
  let ann = next(c, 'announce');
  clock.advance(120_000);
  assert.equal((await ann).event, 'none');
  await settle();
  assert.equal(tr.seen[1]!.get('event'), null);
  assert.equal(tr.seen[1]!.get('trackerid'), 'TID');
  ann = next(c, 'announce');
  c.completed();
  clock.advance(0);
  assert.equal((await ann).event, 'completed');
  await settle();
  assert.equal(tr.seen[2]!.get('event'), 'completed');
  c.announceNow();
  assert.equal(clock.next(), 60_000, 'an extra announce waits for min interval');
  await c.stop();
  assert.deepEqual(c.status(), { announcing: undefined, next: undefined }, 'nothing is due once stopped');
  assert.equal(tr.seen.at(-1)!.get('event'), 'stopped');
  assert.equal(tr.seen.length, 4);
});

test('scheduler: BEP 12 tiers — broken trackers are reported and skipped, the next tier serves', async (t) => {
  const failing = await scriptedTracker(t, () => ({ 'failure reason': 'torrent banned' }));
  const warning = await scriptedTracker(t, () => ({ interval: 600, 'warning message': 'slow down', peers: Buffer.from([127, 0, 0, 1, 0, 9]) }));
  const deadUdp = `udp://127.0.0.1:${await freeUdpPort()}/announce`;
  const deadHttp = 'http://127.0.0.1:1/announce';
  const clock = new FakeClock();
  const c = new TrackerClient(
    { ...INIT, tiers: [[deadHttp, failing.url], [warning.url]], udpRetryBaseMs: 20, udpMaxRetries: 0 },
    { stats, clock, random: () => 0.99 },
  );
  const errors: { url: string; error: TrackerError }[] = [];
  c.on('error', (e) => errors.push(e));
  const warned = next(c, 'warning');
  const peers = next(c, 'peers');
  c.start();
  clock.advance(0);
  assert.equal((await warned).message, 'slow down');
  assert.equal((await peers).url, warning.url);
  assert.deepEqual(errors.map((e) => [e.url, e.error.code]).sort(), [[deadHttp, 'TRACKER_UNREACHABLE'], [failing.url, 'TRACKER_FAILURE']].sort());
  assert.match(errors.find((e) => e.url === failing.url)!.error.message, /torrent banned/);
  await c.stop();
  // All trackers broken: nothing throws, the client retries with a growing delay.
  const clock2 = new FakeClock();
  const broken = new TrackerClient({ ...INIT, tiers: [[deadHttp], [deadUdp]], udpRetryBaseMs: 20, udpMaxRetries: 0, failureRetryBaseMs: 1000 }, { stats, clock: clock2 });
  let failures = 0;
  broken.on('error', () => failures++);
  broken.start();
  const waitErrors = async (n: number): Promise<void> => {
    for (let i = 0; i < 400 && failures < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  clock2.advance(0);
  await waitErrors(1);
  // The UDP exchange runs on the fake clock: step it past the retransmission timeout.
  for (let i = 0; i < 50 && failures < 2; i++) {
    clock2.advance(20);
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(failures, 2);
  for (let i = 0; i < 50 && clock2.next() !== 1000; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(clock2.next(), 1000, 'first retry after the base delay');
  await broken.stop();
});

/** A UDP relay in front of a real tandem tracker that drops the first `drop` packets and records arrival times. */
async function relay(t: { after: (fn: () => void) => void }, trackerPort: number, drop: number) {
  const sock = createSocket('udp4');
  const arrivals: { atMs: number; action: number }[] = [];
  let client: RemoteInfo | undefined;
  sock.on('message', (msg, rinfo) => {
    if (rinfo.port === trackerPort) {
      if (client) sock.send(msg, client.port, client.address);
      return;
    }
    client = rinfo;
    arrivals.push({ atMs: performance.now(), action: msg.readUInt32BE(8) });
    if (arrivals.length > drop) sock.send(msg, trackerPort, '127.0.0.1');
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.after(() => sock.close());
  return { url: `udp://127.0.0.1:${sock.address().port}/announce`, arrivals };
}

test('UDP client: retransmits after base * 2^n, caches the connection id for a minute, times out when told', async (t) => {
  const server = new TrackerServer({ udp: { host: '127.0.0.1', port: 0 } });
  const { udp } = await server.start();
  t.after(() => server.stop());
  const r = await relay(t, udp!.port, 2);
  let fakeNow = 0;
  const clock: Clock = { now: () => fakeNow, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const c = new UdpTrackerClient(r.url, { retryBaseMs: 100, maxRetries: 4, clock });
  t.after(() => c.close());
  const req = { ...INIT, uploaded: 0, downloaded: 0, left: 0, event: 'started' as const };
  await c.announce(req);
  const gaps = r.arrivals.slice(1).map((a, i) => a.atMs - r.arrivals[i]!.atMs);
  assert.deepEqual(r.arrivals.map((a) => a.action), [0, 0, 0, 1], 'two connects dropped, the third answered, then the announce');
  // The first send waits for the socket's implicit bind, so its gap can be a few ms short of the timer.
  assert.ok(gaps[0]! >= 80 && gaps[1]! >= 190 && gaps[1]! > gaps[0]! * 1.5, `retransmission gaps ${gaps.join(', ')} follow 100 * 2^n`);
  await c.announce({ ...req, event: 'none' });
  assert.equal(r.arrivals.filter((a) => a.action === 0).length, 3, 'the connection id was reused');
  fakeNow += 61_000;
  await c.announce({ ...req, event: 'none' });
  assert.equal(r.arrivals.filter((a) => a.action === 0).length, 4, 'after a minute the client connects again');
  const silent = new UdpTrackerClient(`udp://127.0.0.1:${await freeUdpPort()}/announce`, { retryBaseMs: 10, maxRetries: 2 });
  t.after(() => silent.close());
  await assert.rejects(silent.announce(req), (e: unknown) => (e as TrackerError).code === 'TRACKER_TIMEOUT');
});
