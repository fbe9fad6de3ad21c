// The node at scale, side by side in one run with Debian's transmission-daemon, both driven through Transmission's
// RPC: 1,000 and 10,000 small torrents loaded paused; resident memory per torrent; `torrent-get` of the 14 fields
// `transmission-remote -l` asks for (latency p50/p99, reply bytes); start-up to the first RPC answer and until
// every torrent is listed; add-to-visible latency; and tandem's event delivery latency (Transmission has no event
// stream). BENCH_NODE_SIZES=1000,10000 sets the sizes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from '../measure.js';
import { eventStream, infoHashOf, LIST_FIELDS, percentile, syntheticTorrent, TransmissionRpc } from '../node-clients.js';
import { freeTcpPort } from '../../test/helpers/ports.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The V8 flags tandem's executable starts node with (its `#!/usr/bin/env -S node …` line): the daemon runs so. */
const TANDEM_NODE_FLAGS = (/^#!\/usr\/bin\/env -S node (.*)$/m.exec(readFileSync(TANDEM, 'utf8').split('\n')[0]!)?.[1] ?? '').split(' ').filter(Boolean);
const SIZES = (process.env.BENCH_NODE_SIZES ?? '1000,10000').split(',').map(Number);
const LIST_CALLS = 20;

interface Daemon {
  name: string;
  rpc: TransmissionRpc;
  child: ChildProcess;
  /** tandem only: the API's base URL and its token (for the event stream). */
  url?: string;
  token?: () => string;
  /** Starts it again on the same state (after stop). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function rssKiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) : NaN;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out: ${what}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
  });
}

async function startTandem(dir: string): Promise<Daemon> {
  const port = await freeTcpPort();
  const args = [...TANDEM_NODE_FLAGS, TANDEM, 'daemon', '--state-dir', join(dir, 'state'), '--rpc', `127.0.0.1:${port}`, '--port', '0', '--listen', '127.0.0.1', '--no-dht', '--download-dir', join(dir, 'dl'), '--quiet'];
  const d = {
    name: 'tandem daemon',
    url: `http://127.0.0.1:${port}/`,
    rpc: new TransmissionRpc(`http://127.0.0.1:${port}/transmission/rpc`),
    child: spawn(process.execPath, args, { stdio: 'ignore' }),
    token: () => readFileSync(join(dir, 'state', 'rpc-token'), 'utf8').trim(),
    async restart() {
      d.child = spawn(process.execPath, args, { stdio: 'ignore' });
    },
    stop: () => stopChild(d.child),
  };
  await waitUntil('tandem daemon to answer', () => d.rpc.answers());
  return d;
}

async function startTransmission(dir: string): Promise<Daemon | undefined> {
  if (!existsSync('/usr/bin/transmission-daemon')) {
    console.log('transmission-daemon is missing: install it with `apt-get install transmission-daemon` (or bash scripts/install-test-deps.sh)');
    return undefined;
  }
  const port = await freeTcpPort();
  const conf = join(dir, 'tr');
  const settings = { 'rpc-port': port, 'rpc-bind-address': '127.0.0.1', 'rpc-authentication-required': false, 'rpc-whitelist-enabled': false, 'rpc-host-whitelist-enabled': false, 'dht-enabled': false, 'lpd-enabled': false, 'utp-enabled': false, 'pex-enabled': false, 'port-forwarding-enabled': false, 'peer-port': 0, 'download-dir': join(dir, 'trdl'), 'start-added-torrents': false, 'message-level': 0 };
  rmSync(conf, { recursive: true, force: true });
  mkdirSync(conf, { recursive: true });
  writeFileSync(join(conf, 'settings.json'), JSON.stringify(settings));
  const args = ['-f', '-g', conf];
  const d: Daemon = {
    name: 'transmission-daemon',
    rpc: new TransmissionRpc(`http://127.0.0.1:${port}/transmission/rpc`),
    child: spawn('/usr/bin/transmission-daemon', args, { stdio: 'ignore' }),
    async restart() {
      d.child = spawn('/usr/bin/transmission-daemon', args, { stdio: 'ignore' });
    },
    stop: () => stopChild(d.child),
  };
  await waitUntil('transmission-daemon to answer', () => d.rpc.answers());
  return d;
}

/** Adds torrents paused, four requests in flight (as a script feeding a daemon would). */
async function load(d: Daemon, torrents: Buffer[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < torrents.length) {
      const t = torrents[next++]!;
      await d.rpc.call('torrent-add', { metainfo: t.toString('base64'), paused: true });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return (performance.now() - started) / 1000;
}

async function listLatency(d: Daemon): Promise<{ p50: number; p99: number; bytes: number }> {
  const times: number[] = [];
  for (let i = 0; i < LIST_CALLS; i++) {
    const t0 = performance.now();
    await d.rpc.call('torrent-get', { fields: LIST_FIELDS });
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), bytes: d.rpc.lastReplyBytes };
}

async function countListed(d: Daemon): Promise<number> {
  const r = await d.rpc.call<{ torrents: unknown[] }>('torrent-get', { fields: ['id'] });
  return r.torrents.length;
}

/** Restart: seconds to the first RPC answer, and until all `n` torrents are listed. */
async function restartTimes(d: Daemon, n: number): Promise<{ firstAnswer: number; allListed: number }> {
  await d.stop();
  const t0 = performance.now();
  await d.restart();
  await waitUntil(`${d.name} to answer after restart`, () => d.rpc.answers());
  const firstAnswer = (performance.now() - t0) / 1000;
  await waitUntil(`${d.name} to list ${n} torrents`, async () => (await countListed(d)) >= n);
  return { firstAnswer, allListed: (performance.now() - t0) / 1000 };
}

async function addToVisible(d: Daemon, torrent: Buffer): Promise<number> {
  const hash = infoHashOf(torrent);
  const t0 = performance.now();
  await d.rpc.call('torrent-add', { metainfo: torrent.toString('base64'), paused: true });
  await waitUntil('the new torrent to be listed', async () => {
    const r = await d.rpc.call<{ torrents: { hashString: string }[] }>('torrent-get', { ids: [hash], fields: ['hashString'] });
    return r.torrents.length === 1;
  }, 30_000);
  return performance.now() - t0;
}

async function benchSize(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-node-'));
  const torrents = Array.from({ length: n + 1 }, (_, i) => syntheticTorrent(i));
  const rows: Record<string, string | number>[] = [];
  const started: Daemon[] = [];
  try {
    for (const start of [startTandem, startTransmission]) {
      const d = await start(dir);
      if (!d) continue;
      started.push(d);
      const baseKiB = rssKiB(d.child.pid!);
      const loadSeconds = await load(d, torrents.slice(0, n));
      await new Promise((r) => setTimeout(r, 2000));
      const perTorrentKiB = (rssKiB(d.child.pid!) - baseKiB) / n;
      const list = await listLatency(d);
      const visibleMs = await addToVisible(d, torrents[n]!);
      const restart = await restartTimes(d, n + 1);
      let eventMs = NaN;
      let hashed = '-';
      if (d.url && d.token) {
        const stream = await eventStream(d.url, d.token());
        const more = syntheticTorrent(n + 1);
        const t0 = performance.now();
        const got = stream.waitFor('torrent:added');
        await d.rpc.call('torrent-add', { metainfo: more.toString('base64'), paused: true });
        eventMs = (await got) - t0;
        stream.close();
        const stats = await fetch(`${d.url}api/rpc`, { method: 'POST', headers: { authorization: `Bearer ${d.token()}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session.stats' }) });
        hashed = String(((await stats.json()) as { result: { piecesHashed: number } }).result.piecesHashed);
      }
      rows.push({
        daemon: d.name,
        torrents: n,
        'load s': loadSeconds,
        'RSS KiB/torrent': perTorrentKiB,
        'list p50 ms': list.p50,
        'list p99 ms': list.p99,
        'list bytes': list.bytes,
        'restart: 1st answer s': restart.firstAnswer,
        'restart: all listed s': restart.allListed,
        'pieces hashed': hashed,
        'add→visible ms': visibleMs,
        'event ms': Number.isNaN(eventMs) ? 'n/a' : eventMs,
      });
      await d.stop();
    }
  } finally {
    for (const d of started) await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  const [td, tr] = rows;
  if (td && tr) {
    const ratio = (a: unknown, b: unknown): string => (Number(a) / Number(b)).toFixed(2);
    console.log(`ratios tandem/transmission at ${n}: memory per torrent ${ratio(td['RSS KiB/torrent'], tr['RSS KiB/torrent'])} (goal <= 1), list p50 ${ratio(td['list p50 ms'], tr['list p50 ms'])} (goal <= 0.5 at 10,000), start-up to all listed ${ratio(td['restart: all listed s'], tr['restart: all listed s'])}`);
  }
}

export default {
  async run(): Promise<void> {
    for (const n of SIZES) await benchSize(n);
  },
};
