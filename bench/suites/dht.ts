// DHT lookups on a loopback network of 50 tandem nodes that a libtorrent node joins: for the same info hashes,
// the time and the get_peers queries a tandem lookup and a libtorrent lookup (dht_get_peers) take to complete.
// Both lookers are separate processes that join the network the same way (the tandem one is this file run with
// DHT_BENCH_QUERIER set), so neither shares an event loop with the 50 responders.
// Queries are counted where they land (every tandem node counts the get_peers it receives), the same instrument
// for both, once the count has settled (a lookup goes on after its first peers); libtorrent's own counter
// (dht.dht_get_peers_out) is printed beside it as a cross-check.
// Time: libtorrent posts dht_get_peers_reply_alert with each response that carries peers, so its time is the
// time to the first peers. tandem's is measured the same way (its lookup yields peers as responses bring them),
// and the time to the end of the whole lookup is printed beside it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSocket, type Socket } from 'node:dgram';
import { DHT_DEFAULTS, DhtNode } from '../../src/dht/index.js';
import { printTable } from '../measure.js';


const LT_NODE = fileURLToPath(new URL('../../../test/interop/helpers/dht_node.py', import.meta.url));
const NODES = Number(process.env.BENCH_DHT_NODES ?? 50);
const LOOKUPS = Number(process.env.BENCH_DHT_LOOKUPS ?? 20);
const WARMUP = Number(process.env.BENCH_DHT_WARMUP ?? 300);
// BENCH_DHT_DEAD=N: after both lookers have joined, the last N nodes go silent (their ports become black holes
// that read and drop every datagram, as dead nodes on the Internet do: no ICMP reply), so lookups meet nodes that
// never answer. BENCH_DHT_SOFT_MS sets tandem's soft timeout (1000 = the query timeout: no soft timeout).
const DEAD = Number(process.env.BENCH_DHT_DEAD ?? 0);
const LIVE = NODES - DEAD;
// Every node here is 127.0.0.1: per-address rate limits would throttle the whole network as one host.
const OPTS = {
  ipv4: { host: '127.0.0.1', port: 0 },
  queryTimeoutMs: 1_000,
  querySoftTimeoutMs: Number(process.env.BENCH_DHT_SOFT_MS ?? DHT_DEFAULTS.querySoftTimeoutMs),
  lookupConcurrency: Number(process.env.BENCH_DHT_ALPHA ?? DHT_DEFAULTS.lookupConcurrency),
  rateLimitPerSecond: 1e6,
  rateLimitBurst: 1e6,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Waits until `count()` has not changed for a while (longer than a query timeout when nodes are silent), and returns it. */
async function settled(count: () => number): Promise<number> {
  const stableMs = DEAD > 0 ? 2_500 : 300;
  let last = count();
  let stableSince = Date.now();
  const deadline = Date.now() + 15_000;
  while (Date.now() - stableSince < stableMs && Date.now() < deadline) {
    await sleep(50);
    const now = count();
    if (now !== last) [last, stableSince] = [now, Date.now()];
  }
  return last;
}

/** get_peers queries that reached the silent nodes (counted by their black holes). */
let silentGetPeers = 0;

function received(nodes: DhtNode[]): number {
  return silentGetPeers + nodes.reduce((n, d) => n + (d.running ? d.stats().counters.getPeersReceived : 0), 0);
}

async function startNetwork(): Promise<DhtNode[]> {
  const root = new DhtNode({ ...OPTS, bootstrap: [] });
  await root.start();
  const entry = `127.0.0.1:${root.address()!.port}`;
  const nodes = [root];
  for (let i = 1; i < NODES; i++) {
    const n = new DhtNode({ ...OPTS, bootstrap: [entry] });
    await n.start();
    nodes.push(n);
  }
  for (let round = 0; round < 2; round++) for (const n of nodes) await n.bootstrap();
  return nodes;
}

function startLooker(kind: 'libtorrent' | 'tandem', bootstrap: string, env: Record<string, string> = {}) {
  const port = 20_000 + Math.floor(Math.random() * 20_000); // libtorrent must be told a port; a clash fails loudly
  const child =
    kind === 'libtorrent'
      ? spawn('/usr/bin/python3', [LT_NODE, 'node', String(port), bootstrap], { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, DHT_BENCH_QUERIER: bootstrap, ...env } });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = lines.findIndex((l) => pattern.test(l));
      if (i >= 0) return lines.splice(i, 1)[0]!.match(pattern)!;
      if (Date.now() > deadline) throw new Error(`${kind}: no line ${pattern}; saw ${lines.join(' | ')}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), sleep(200)]);
    }
  };
  return { child, port, next };
}

export default {
  async run(): Promise<void> {
    const nodes = await startNetwork();
    const entry = `127.0.0.1:${nodes[0]!.address()!.port}`;
    // BENCH_DHT_COMPARE_SOFT=1: a third looker, tandem with no soft timeout, in the same network.
    const lookers: Record<string, ReturnType<typeof startLooker>> = { tandem: startLooker('tandem', entry), libtorrent: startLooker('libtorrent', entry) };
    if (process.env.BENCH_DHT_COMPARE_SOFT) lookers['tandem, no soft timeout'] = startLooker('tandem', entry, { BENCH_DHT_SOFT_MS: String(OPTS.queryTimeoutMs) });
    const who3 = Object.keys(lookers);
    const holes: Socket[] = [];
    try {
      for (const who of who3) await lookers[who]!.next(/^bootstrapped/);
      await sleep(3_000); // let libtorrent's table fill from its own refreshes
      for (let i = LIVE; i < NODES; i++) holes.push(await silence(nodes[i]!));
      // Warm-up lookups, untimed in the table: a long-running node is warm, and V8's JIT needs a few hundred
      // lookups to settle. The first one is reported apart ("first lookup ms": what a short `tandem get` pays).
      // (libtorrent posts no reply alert for a lookup that found no peers, so the warm-up hash has a peer.)
      const warm = createHash('sha1').update('warm-up').digest('hex');
      await nodes[1]!.announce(Buffer.from(warm, 'hex'), 29_999);
      const firstMs: Record<string, number> = {};
      for (const who of who3) {
        for (let i = 0; i < WARMUP; i++) {
          lookers[who]!.child.stdin!.write(`lookup ${warm}\n`);
          const m = await lookers[who]!.next(/^result \S+ (\S+)/);
          if (i === 0) firstMs[who] = Number(m[1]) * 1000;
        }
      }
      const rows: { who: string; ms: number; fullMs: number; queries: number; ltCounter: number; peers: number }[] = [];
      for (let i = 0; i < LOOKUPS; i++) {
        const ih = createHash('sha1').update(`bench ${i}`).digest();
        for (let a = 0; a < 3; a++) await nodes[(i * 7 + a * 13 + 1) % LIVE]!.announce(ih, 30_000 + a);
        await sleep(200);
        // Alternate who goes first, so neither always meets a warmer network.
        const order = [...who3.slice(i % who3.length), ...who3.slice(0, i % who3.length)];
        for (const who of order) {
          const before = received(nodes);
          lookers[who]!.child.stdin!.write(`lookup ${ih.toString('hex')}\n`);
          const m = await lookers[who]!.next(/^result (\S+) (\S+) (\d+) (-?\d+)(?: (\S+))?/);
          if (m[2] === 'timeout') throw new Error(`${who}: lookup ${i} got no reply in 10 s`);
          const queries = (await settled(() => received(nodes))) - before;
          rows.push({ who, ms: Number(m[2]) * 1000, fullMs: m[5] ? Number(m[5]) * 1000 : NaN, queries, ltCounter: Number(m[4]), peers: Number(m[3]) });
        }
      }
      if (process.env.BENCH_DHT_ROWS) printTable(rows);
      const pick = (who: string) => rows.filter((r) => r.who === who);
      const summary = who3.map((who) => ({
        lookup: who,
        'first lookup ms': firstMs[who]!,
        'median ms to peers': median(pick(who).map((r) => r.ms)),
        'median ms whole lookup': who.startsWith('tandem') ? median(pick(who).map((r) => r.fullMs)) : '-',
        'median get_peers': median(pick(who).map((r) => r.queries)),
        'max get_peers': Math.max(...pick(who).map((r) => r.queries)),
        'own counter': median(pick(who).map((r) => r.ltCounter)),
        'median peers found': median(pick(who).map((r) => r.peers)),
      }));
      console.log(`${NODES} tandem nodes on loopback${DEAD ? ` (${DEAD} of them gone silent)` : ''}, joined by one tandem and one libtorrent process; ${LOOKUPS} info hashes each announced by 3 nodes; complete lookups after ${WARMUP} warm-up lookups; tandem soft timeout ${OPTS.querySoftTimeoutMs} ms, query timeout ${OPTS.queryTimeoutMs} ms`);
      console.log('get_peers = queries received by the 50 nodes; own counter = what the looker says it sent');
      printTable(summary);
      const t = summary[0]!;
      const l = summary[1]!;
      printTable([{ 'queries tandem/libtorrent': t['median get_peers'] / l['median get_peers'], 'time to peers tandem/libtorrent': t['median ms to peers'] / l['median ms to peers'] }]);
    } finally {
      for (const l of Object.values(lookers)) {
        l.child.stdin!.end();
        l.child.kill('SIGKILL');
      }
      await Promise.all(nodes.map((n) => n.stop()));
      await Promise.all(holes.map((h) => new Promise<void>((r) => h.close(() => r()))));
    }
  },
};

/** Stops a node and binds its port to a socket that drops everything: a dead node that sends no ICMP error. */
async function silence(node: DhtNode): Promise<Socket> {
  const port = node.address()!.port;
  await node.stop();
  const hole = createSocket('udp4');
  hole.on('message', (d) => {
    if (d.includes('9:get_peers')) silentGetPeers++;
  });
  await new Promise<void>((resolve, reject) => {
    hole.once('error', reject);
    hole.bind(port, '127.0.0.1', () => resolve());
  });
  return hole;
}

/** The tandem looker process: joins the network, then answers "lookup HEX" lines with "result HEX SECONDS PEERS SENT". */
async function querier(bootstrap: string): Promise<void> {
  const node = new DhtNode({ ...OPTS, bootstrap: [bootstrap] });
  await node.start();
  await node.bootstrap();
  console.log('bootstrapped');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [cmd, hex] = line.split(' ');
    if (cmd !== 'lookup' || !hex) continue;
    const sentBefore = node.stats().counters.queriesSent;
    const t0 = performance.now();
    let peers = 0;
    let firstMs: number | undefined;
    for await (const _ of node.lookup(Buffer.from(hex, 'hex'))) if (peers++ === 0) firstMs = performance.now() - t0;
    const fullMs = performance.now() - t0;
    const s = (ms: number): string => (ms / 1000).toFixed(4);
    console.log(`result ${hex} ${s(firstMs ?? fullMs)} ${peers} ${node.stats().counters.queriesSent - sentBefore} ${s(fullMs)}`);
  }
  await node.stop();
}

if (process.env.DHT_BENCH_QUERIER) await querier(process.env.DHT_BENCH_QUERIER);
