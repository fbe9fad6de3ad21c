// Peer engine benchmark (issue 3): one file from one seed to one leecher on loopback, side by side in one run:
// tandem→tandem, libtorrent→libtorrent, aria2→aria2, tandem→libtorrent, libtorrent→tandem; then one seed to four
// leechers (tandem and libtorrent). Prints throughput, leecher CPU seconds per GiB, leecher peak RSS, and ratios to
// libtorrent. BENCH_PEER_MIB sets the size (default 1024).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent } from '../../src/metainfo/index.js';
import { TrackerServer } from '../../src/tracker/index.js';
import { printTable } from '../measure.js';
import { jsonPort, startSeed } from '../seeds.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TANDEM = join(ROOT, 'dist/src/cli/main.js');
const LT_PEER = join(ROOT, 'test/interop/helpers/lt_peer.py');
const PY = '/usr/bin/python3';
const SIZE_MIB = Number(process.env.BENCH_PEER_MIB ?? 1024);

interface Run {
  /** Seconds from start until the leecher said it was done (aria2 lingers ~2 s after; that is left out). */
  doneSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** Runs a leecher under GNU time; wall time is taken when its output matches `donePattern` (or at exit). */
function timed(cmd: string, args: string[], donePattern?: RegExp, timeoutMs = 600_000): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'peer-bench-time-'));
  const out = join(dir, 't');
  const start = process.hrtime.bigint();
  return new Promise<Run>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', out, '-f', '%e %U %S %M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let doneAt: bigint | undefined;
    let tail = '';
    const watch = (d: Buffer): void => {
      tail = (tail + d.toString()).slice(-4000);
      if (!doneAt && donePattern?.test(tail)) doneAt = process.hrtime.bigint();
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    const limit = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(limit);
      const end = doneAt ?? process.hrtime.bigint();
      try {
        if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${tail}`);
        const [, user, sys, rss] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
        resolve({ doneSeconds: Number(end - start) / 1e9, cpuSeconds: user! + sys!, peakRssMiB: rss! / 1024 });
      } catch (err) {
        reject(err as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/**
 * Flushes dirty pages to disk before a measured run: the source file just written, or the previous leecher's output
 * just deleted, would otherwise be written back (or discarded) by the kernel during the next run, charging whichever
 * pair runs next with the previous one's disk work.
 */
function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore', timeout: 120_000 });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function aria2Args(dir: string, torrent: string, seed: boolean, port: number): Promise<string[]> {
  return ['--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--file-allocation=none', '--summary-interval=1', `--listen-port=${port}`, `--dir=${dir}`,
    ...(seed ? ['--check-integrity=true', '--seed-ratio=0.0'] : ['--seed-time=0', '--bt-max-peers=0']), torrent];
}

async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'peer-bench-'));
  const tracker = new TrackerServer({ http: { host: '127.0.0.1', port: 0 }, announceIntervalS: 5, minAnnounceIntervalS: 1 });
  try {
    const { http } = await tracker.start();
    const src = join(work, 'src');
    const file = join(src, 'big.bin');
    rmSync(src, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(src, { recursive: true }));
    const fd = openSync(file, 'w');
    const chunk = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < SIZE_MIB / 16; i++) writeSync(fd, randomFillSync(chunk));
    closeSync(fd);
    settleDisk();
    const { bytes } = await createTorrent(file, { trackers: [`http://127.0.0.1:${http!.port}/announce`], creationDate: null });
    const torrent = join(work, 'big.torrent');
    writeFileSync(torrent, bytes);
    const gib = SIZE_MIB / 1024;
    const rows: Record<string, string | number>[] = [];
    const seeds = {
      tandem: () => startSeed(process.execPath, [TANDEM, 'get', torrent, '-o', src, '--seed', '--no-dht', '--listen', '127.0.0.1', '--json'], /"event":"done"/, jsonPort),
      libtorrent: () => startSeed(PY, [LT_PEER, 'seed', torrent, src, '--fast', '--timeout', '3600'], /"event": "done"/, jsonPort),
      aria2: async () => startSeed('aria2c', await aria2Args(src, torrent, true, 0 + 16881), /SEED\(/, () => 16881),
    };
    const leechers = {
      tandem: (out: string, port: number) => timed(process.execPath, [TANDEM, 'get', torrent, '-o', out, '--peer', `127.0.0.1:${port}`, '--no-dht', '--listen', '127.0.0.1', '-q']),
      libtorrent: (out: string, port: number) => timed(PY, [LT_PEER, 'leech', torrent, out, '--peer', `127.0.0.1:${port}`, '--fast', '--timeout', '3600'], /"event": "done"/),
      aria2: async (out: string) => timed('aria2c', await aria2Args(out, torrent, false, 16882), /Download complete/),
    };
    const pairs: [keyof typeof seeds, keyof typeof leechers][] = [['tandem', 'tandem'], ['libtorrent', 'libtorrent'], ['aria2', 'aria2'], ['tandem', 'libtorrent'], ['libtorrent', 'tandem']];
    const results = new Map<string, Run>();
    for (const [s, l] of pairs) {
      console.log(`${s} -> ${l} ...`);
      settleDisk();
      const seed = await seeds[s]();
      const out = join(work, `out-${s}-${l}`);
      try {
        const r = await leechers[l](out, seed.port);
        results.set(`${s}->${l}`, r);
        console.log(`  ${r.doneSeconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s, RSS ${r.peakRssMiB.toFixed(0)} MiB`);
      } catch (err) {
        console.error(`${s} -> ${l} failed: ${(err as Error).message.slice(0, 500)}`);
      } finally {
        await stop(seed.child);
        rmSync(out, { recursive: true, force: true });
      }
    }
    for (const swarm of ['tandem', 'libtorrent'] as const) {
      console.log(`${swarm} -> 4 x ${swarm} ...`);
      settleDisk();
      const seed = await seeds[swarm]();
      const start = process.hrtime.bigint();
      try {
        const all = await Promise.all([0, 1, 2, 3].map((i) => leechers[swarm](join(work, `four-${swarm}-${i}`), seed.port)));
        const wall = Number(process.hrtime.bigint() - start) / 1e9;
        results.set(`${swarm}->4x${swarm}`, { doneSeconds: wall, cpuSeconds: all.reduce((s, r) => s + r.cpuSeconds, 0) / 4, peakRssMiB: Math.max(...all.map((r) => r.peakRssMiB)) });
      } catch (err) {
        console.error(`${swarm} 1->4 failed: ${(err as Error).message.slice(0, 500)}`);
      } finally {
        await stop(seed.child);
        for (let i = 0; i < 4; i++) rmSync(join(work, `four-${swarm}-${i}`), { recursive: true, force: true });
      }
    }
    const ref = results.get('libtorrent->libtorrent');
    const ref4 = results.get('libtorrent->4xlibtorrent');
    for (const [name, r] of results) {
      const base = name.includes('4x') ? ref4 : ref;
      const mibps = (SIZE_MIB * (name.includes('4x') ? 4 : 1)) / r.doneSeconds;
      const baseMibps = base ? (SIZE_MIB * (name.includes('4x') ? 4 : 1)) / base.doneSeconds : NaN;
      rows.push({
        'seed->leecher': name,
        seconds: r.doneSeconds,
        'MiB/s': mibps,
        'leecher CPU s/GiB': r.cpuSeconds / gib,
        'leecher RSS MiB': r.peakRssMiB,
        'speed vs lt': base ? mibps / baseMibps : '-',
        'CPU vs lt': base ? r.cpuSeconds / base.cpuSeconds : '-',
      });
    }
    console.log(`${SIZE_MIB} MiB, one file, loopback; "4x" rows: one seed to four leechers at once (MiB/s counts all four)`);
    printTable(rows);
  } finally {
    await tracker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export default { run };
