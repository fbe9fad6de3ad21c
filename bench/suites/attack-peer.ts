// Attack bench (issue 16): an honest `tandem get` downloads from a seed while hostile peers attack that seed, for a
// tandem seed and a libtorrent seed side by side in one run. Reports the honest leecher's rate under each attack as
// a share of its rate without one, and the seed's peak memory. Goals: at least half the unattacked rate under every
// attack, and at least what the libtorrent seed gives under the same attack. BENCH_ATTACK_MIB sets the file size
// (default 64), BENCH_ATTACK_LIMIT_S how long the honest leecher may take (default 60), BENCH_ATTACK_KINDS which
// attacks run (default all). Each seed serves one unmeasured download before its attack starts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent } from '../../src/metainfo/index.js';
import { startAttack, type AttackKind } from '../../test/helpers/peer-attackers.js';
import { printTable } from '../measure.js';
import { jsonPort, startSeed } from '../seeds.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TANDEM = join(ROOT, 'dist/src/cli/main.js');
const LT_PEER = join(ROOT, 'test/interop/helpers/lt_peer.py');
const PY = '/usr/bin/python3';
const SIZE_MIB = Number(process.env.BENCH_ATTACK_MIB ?? 64);
const LIMIT_S = Number(process.env.BENCH_ATTACK_LIMIT_S ?? 60);
/** Seconds the attack runs before the honest leecher starts, so it meets the seed already under attack. */
const HEAD_START_S = 3;

interface Scenario {
  name: string;
  kind?: AttackKind;
  count: number;
}

const ALL_SCENARIOS: Scenario[] = [
  { name: 'none', count: 0 },
  { name: '200 idle peers', kind: 'idle', count: 200 },
  { name: '4 requesters that never read', kind: 'never-read', count: 4 },
  { name: '60 garbage peers, churning', kind: 'garbage', count: 60 },
];
/** BENCH_ATTACK_KINDS=garbage,idle runs only those attacks (the unattacked baseline always runs). */
const KINDS = process.env.BENCH_ATTACK_KINDS?.split(',');
const SCENARIOS = ALL_SCENARIOS.filter((s) => !s.kind || !KINDS || KINDS.includes(s.kind));

interface Outcome {
  /** MiB/s the honest leecher got (verified bytes over the time it ran). */
  mibps: number;
  done: boolean;
  seedPeakRssMiB: number;
  seedAlive: boolean;
  attackConnections: number;
}

function seedOf(which: 'tandem' | 'libtorrent', torrent: string, src: string): Promise<{ child: ChildProcess; port: number }> {
  return which === 'tandem'
    ? startSeed(process.execPath, [TANDEM, 'get', torrent, '-o', src, '--seed', '--no-dht', '--no-lsd', '--listen', '127.0.0.1', '--json'], /"event":"done"/, jsonPort)
    : startSeed(PY, [LT_PEER, 'seed', torrent, src, '--timeout', '3600'], /"event": "done"/, jsonPort);
}

/** The seed's peak resident memory so far (VmHWM), in MiB. */
function peakRssMiB(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Runs the honest `tandem get` for at most LIMIT_S; resolves with its verified bytes and the seconds it ran. */
function honestLeecher(torrent: string, out: string, port: number): Promise<{ bytes: number; seconds: number; done: boolean }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TANDEM, 'get', torrent, '-o', out, '--peer', `127.0.0.1:${port}`, '--no-dht', '--no-lsd', '--listen', '127.0.0.1', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    let done = false;
    let seconds = LIMIT_S;
    let tail = '';
    child.stdout!.on('data', (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      for (const m of tail.matchAll(/"verifiedBytes":(\d+)/g)) bytes = Math.max(bytes, Number(m[1]));
      if (!done && tail.includes('"event":"done"')) {
        done = true;
        seconds = Number(process.hrtime.bigint() - start) / 1e9;
      }
    });
    const limit = setTimeout(() => child.kill('SIGKILL'), LIMIT_S * 1000);
    child.once('exit', () => {
      clearTimeout(limit);
      resolve({ bytes, seconds: done ? seconds : Number(process.hrtime.bigint() - start) / 1e9, done });
    });
  });
}

async function runScenario(which: 'tandem' | 'libtorrent', s: Scenario, torrent: string, src: string, work: string, info: { infoHash: Buffer; pieceCount: number; pieceLengthBytes: number }): Promise<Outcome> {
  const seed = await seedOf(which, torrent, src);
  // One unmeasured download first, for both seeds: the figure is a running seed's, not the JIT warm-up of a fresh
  // Node process (a cold tandem seed serves its first 64 MiB about 0.25 s slower; libtorrent has no warm-up).
  await honestLeecher(torrent, join(work, `warm-${which}`), seed.port);
  rmSync(join(work, `warm-${which}`), { recursive: true, force: true });
  const attack = s.kind ? startAttack({ kind: s.kind, count: s.count, port: seed.port, ...info }) : undefined;
  const out = join(work, `out-${which}`);
  try {
    await new Promise((r) => setTimeout(r, s.kind ? HEAD_START_S * 1000 : 0));
    const r = await honestLeecher(torrent, out, seed.port);
    return {
      mibps: r.bytes / 2 ** 20 / r.seconds,
      done: r.done,
      seedPeakRssMiB: peakRssMiB(seed.child.pid),
      seedAlive: seed.child.exitCode === null && seed.child.signalCode === null,
      attackConnections: attack?.opened ?? 0,
    };
  } finally {
    attack?.stop();
    seed.child.removeAllListeners('exit');
    seed.child.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  }
}

async function run(): Promise<void> {
  const haveLt = spawnSync(PY, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0;
  if (!haveLt) console.log('libtorrent seed: python3-libtorrent is missing (apt-get install python3-libtorrent, or bash scripts/install-test-deps.sh); its column is left out');
  const work = mkdtempSync(join(tmpdir(), 'attack-bench-'));
  try {
    const src = join(work, 'src');
    spawnSync('mkdir', ['-p', src]);
    const file = join(src, 'big.bin');
    const fd = openSync(file, 'w');
    const chunk = Buffer.alloc(4 * 2 ** 20);
    for (let i = 0; i < SIZE_MIB / 4; i++) writeSync(fd, randomFillSync(chunk));
    closeSync(fd);
    const { bytes, metainfo } = await createTorrent(file, { creationDate: null });
    const torrent = join(work, 'big.torrent');
    writeFileSync(torrent, bytes);
    const info = { infoHash: metainfo.infoHashV1!, pieceCount: metainfo.pieceCount, pieceLengthBytes: metainfo.pieceLengthBytes };
    const seeds = haveLt ? (['tandem', 'libtorrent'] as const) : (['tandem'] as const);
    const results = new Map<string, Outcome>();
    for (const s of SCENARIOS) {
      for (const which of seeds) {
        console.log(`${which} seed, attack: ${s.name} ...`);
        const o = await runScenario(which, s, torrent, src, work, info);
        results.set(`${which}/${s.name}`, o);
        // The attackers' connections say how hard each seed made them work (garbage peers reconnect when closed).
        const churn = s.kind ? `, ${o.attackConnections} attack connections` : '';
        console.log(`  ${o.mibps.toFixed(1)} MiB/s${o.done ? '' : ' (not done)'}, seed peak RSS ${o.seedPeakRssMiB.toFixed(0)} MiB${churn}${o.seedAlive ? '' : ', seed DIED'}`);
      }
    }
    const rows = SCENARIOS.map((s) => {
      const row: Record<string, string | number> = { attack: s.name };
      for (const which of seeds) {
        const o = results.get(`${which}/${s.name}`)!;
        const base = results.get(`${which}/none`)!;
        row[`${which} MiB/s`] = o.mibps;
        row[`${which} share`] = o.mibps / base.mibps;
        row[`${which} seed RSS MiB`] = o.seedPeakRssMiB;
      }
      if (haveLt) row['tandem/lt'] = results.get(`tandem/${s.name}`)!.mibps / results.get(`libtorrent/${s.name}`)!.mibps;
      return row;
    });
    console.log(`${SIZE_MIB} MiB from one seed to an honest tandem get on loopback while the attack runs (limit ${LIMIT_S} s); share = rate under attack / rate without (goal >= 0.5, and tandem/lt >= 1)`);
    printTable(rows);
  } finally {
    if (existsSync(work)) rmSync(work, { recursive: true, force: true });
  }
}

export default { run };
