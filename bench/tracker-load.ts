// The tracker load generator: many simulated peers announce over many torrents, `inflight` requests at once, for
// a set time (or until `unique` distinct peers have announced once each), to one HTTP or UDP tracker on loopback.
// Prints one JSON line. Bounded: a duration, a request timeout, loopback only.
//
//   node dist/bench/tracker-load.js udp://127.0.0.1:6969/announce --seconds 5 --inflight 64 --torrents 1000 --peers 100000
//   node dist/bench/tracker-load.js --serve-bittorrent-tracker 7000     (runs the npm bittorrent-tracker server)
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeResponse, encodeAnnounce, encodeConnect } from '../src/tracker/bep15-udp.js';
import { buildAnnounceUrl } from '../src/tracker/http-codec.js';

interface LoadOptions {
  url: string;
  seconds: number;
  inflight: number;
  torrents: number;
  peers: number;
  unique: number;
  numwant: number;
}

export interface LoadResult {
  url: string;
  announces: number;
  errors: number;
  seconds: number;
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The first error seen, to tell a refusal from a timeout. */
  firstError?: string;
}

const REQUEST_TIMEOUT_MS = 2_000;
const MAX_SAMPLES = 200_000;

function infoHash(t: number): Buffer {
  const b = Buffer.alloc(20, 0xb7);
  b.writeUInt32BE(t, 0);
  return b;
}

function peerId(p: number): Buffer {
  const b = Buffer.from('-BENCH0-000000000000');
  b.writeUInt32BE(p, 16);
  return b;
}

/** Latencies kept as a bounded reservoir, so a long run cannot grow memory. */
class Latencies {
  private readonly samples = new Float64Array(MAX_SAMPLES);
  private seen = 0;
  add(ms: number): void {
    const i = this.seen < MAX_SAMPLES ? this.seen : Math.floor(Math.random() * (this.seen + 1));
    if (i < MAX_SAMPLES) this.samples[i] = ms;
    this.seen++;
  }
  quantile(q: number): number {
    const n = Math.min(this.seen, MAX_SAMPLES);
    if (n === 0) return NaN;
    const sorted = this.samples.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.floor(q * n))]!;
  }
}

/** Drives `inflight` workers until the deadline or until `unique` announces were sent. */
async function drive(o: LoadOptions, one: (torrent: number, peer: number) => Promise<void>): Promise<LoadResult> {
  const lat = new Latencies();
  let announces = 0;
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const deadline = start + o.seconds * 1000;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (o.unique > 0 ? next >= o.unique : performance.now() >= deadline) return;
      const k = next++;
      const peer = o.unique > 0 ? k : Math.floor(Math.random() * o.peers);
      const t0 = performance.now();
      try {
        await one(peer % o.torrents, peer);
        announces++;
        lat.add(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: o.inflight }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { url: o.url, announces, errors, seconds, ratePerSecond: announces / seconds, p50Ms: lat.quantile(0.5), p99Ms: lat.quantile(0.99), firstError };
}

/**
 * HTTP announces written on raw sockets, one connection per announce with "Connection: close" (as BitTorrent
 * clients announce, and as opentracker answers): node's http client costs more CPU than the servers under test.
 */
async function loadHttp(o: LoadOptions): Promise<LoadResult> {
  const u = new URL(o.url);
  const port = Number(u.port || 80);
  const hashes = Array.from({ length: o.torrents }, (_, i) => infoHash(i));
  const one = (t: number, p: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const path = buildAnnounceUrl(u.pathname, { infoHash: hashes[t]!, peerId: peerId(p), port: 1024 + (p % 60_000), uploaded: 0, downloaded: 0, left: p % 3 === 0 ? 0 : 1000, event: 'none', numwant: o.numwant, compact: true });
      const sock = connect(port, u.hostname);
      const chunks: Buffer[] = [];
      let size = 0;
      sock.setTimeout(REQUEST_TIMEOUT_MS, () => sock.destroy(new Error('timeout')));
      sock.on('connect', () => sock.end(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
      sock.on('data', (d: Buffer) => {
        size += d.length;
        if (size <= 65_536) chunks.push(d);
      });
      sock.on('error', reject);
      sock.on('close', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const body = text.indexOf('\r\n\r\n');
        if (text.startsWith('HTTP/1.1 200') && body > 0 && text[body + 4] === 'd') resolve();
        else reject(new Error(`bad answer: ${text.slice(0, 40)}`));
      });
    });
  return drive(o, one);
}

async function loadUdp(o: LoadOptions): Promise<LoadResult> {
  const u = new URL(o.url);
  const host = u.hostname;
  const port = Number(u.port);
  const sock = createSocket('udp4');
  const pending = new Map<number, (r: Buffer) => void>();
  sock.on('message', (msg) => {
    if (msg.length >= 8) pending.get(msg.readUInt32BE(4))?.(msg);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let tid = 1;
  const exchange = (build: (tid: number) => Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const id = tid++ >>> 0;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('timeout'));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, (r) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(r);
      });
      sock.send(build(id), port, host);
    });
  // BEP 15: one connection id, refreshed every 50 s (ids are good for a minute).
  let conn = { id: 0n, atMs: -Infinity };
  const connectionId = async (): Promise<bigint> => {
    if (performance.now() - conn.atMs > 50_000) {
      const r = decodeResponse(await exchange((t) => encodeConnect(t)));
      if (r.action !== 'connect') throw new Error('connect failed');
      conn = { id: r.connectionId, atMs: performance.now() };
    }
    return conn.id;
  };
  const hashes = Array.from({ length: o.torrents }, (_, i) => infoHash(i));
  const one = async (t: number, p: number): Promise<void> => {
    const id = await connectionId();
    const r = await exchange((tx) => encodeAnnounce({ connectionId: id, transactionId: tx, infoHash: hashes[t]!, peerId: peerId(p), downloaded: 0, left: p % 3 === 0 ? 0 : 1000, uploaded: 0, event: 'none', key: p, numWant: o.numwant, port: 1024 + (p % 60_000) }));
    if (r.readUInt32BE(0) !== 1) throw new Error('announce failed');
  };
  try {
    await connectionId(); // inside the try: a server not up yet (the suite's readiness probe) must not leak the socket
    return await drive(o, one);
  } finally {
    sock.close();
  }
}

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (!/^(http|udp):\/\/(127\.0\.0\.1|localhost)[:/]/.test(o.url)) throw new Error(`the load generator only targets loopback: ${o.url}`);
  return o.url.startsWith('udp:') ? loadUdp(o) : loadHttp(o);
}

/** Runs the npm bittorrent-tracker server (a bench reference) from the test-only packages in .cache/test-npm. */
async function serveBittorrentTracker(port: number): Promise<void> {
  // The package exports its server for `import` only, so it is loaded by path.
  const entry = fileURLToPath(new URL('../../.cache/test-npm/node_modules/bittorrent-tracker/server.js', import.meta.url));
  if (!existsSync(entry)) throw new Error('bittorrent-tracker is missing: run scripts/install-test-deps.sh (npm package bittorrent-tracker@11)');
  const { default: Server } = (await import(pathToFileURL(entry).href)) as { default: new (o: object) => { listen(port: number, host: object, cb: () => void): void; on(e: string, f: (err: Error) => void): void } };
  const server = new Server({ http: true, udp: true, ws: false, stats: false, trustProxy: false });
  server.on('error', (err) => console.error(`bittorrent-tracker: ${err.message}`));
  server.on('warning', () => {});
  server.listen(port, { http: '127.0.0.1', udp: '127.0.0.1', udp6: '::1' }, () => console.log(`bittorrent-tracker listening on ${port}`));
}

function parseArgs(argv: string[]): LoadOptions {
  const o: LoadOptions = { url: '', seconds: 5, inflight: 64, torrents: 1000, peers: 100_000, unique: 0, numwant: 50 };
  const numeric: Record<string, keyof Omit<LoadOptions, 'url'>> = { '--seconds': 'seconds', '--inflight': 'inflight', '--torrents': 'torrents', '--peers': 'peers', '--unique': 'unique', '--numwant': 'numwant' };
  for (let i = 0; i < argv.length; i++) {
    const field = numeric[argv[i]!];
    if (field) o[field] = Number(argv[++i]);
    else o.url = argv[i]!;
  }
  if (!o.url) throw new Error('usage: tracker-load.js <http|udp announce URL> [--seconds S] [--inflight N] [--torrents N] [--peers N] [--unique N] [--numwant N]');
  return o;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--serve-bittorrent-tracker') await serveBittorrentTracker(Number(process.argv[3]));
  else console.log(JSON.stringify(await runLoad(parseArgs(process.argv.slice(2)))));
}
