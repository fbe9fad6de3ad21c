// TFTP on loopback, side by side in one run: a 100 MiB download from tandem and from tftpd-hpa with the same
// client (curl) and block size, then tandem's own client with windowsize 16 (tftpd-hpa ignores windowsize).
// tandem is measured with its default busy-polling and with it off, and the server's CPU is shown beside the
// client's, because polling buys speed with server CPU.
// A second table: a crowd of curl clients at once (a PXE boot storm), where the server's CPU per block decides.
// Goals: same block size at least as fast as tftpd-hpa; windowsize 16 at least 3 × tftpd-hpa.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir, randomFile } from '../data.js';
import { bestOf, measure, printTable, watchServerCpu, type Measurement } from '../measure.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SIZE_MIB = Number(process.env.BENCH_TFTP_MIB ?? 100);
const BLKSIZE = '1428';
const CROWD = 16;
const CROWD_MIB = 10;

type ServedMeasurement = Measurement & { serverCpuSeconds: number };

async function withServer<T>(start: () => ChildProcess, body: (server: ChildProcess) => Promise<T>): Promise<T> {
  const child = start();
  await new Promise((r) => setTimeout(r, 800)); // UDP has no connect to poll; both servers bind well within this
  try {
    return await body(child);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

/** Best of 2 runs of a client, each with the server's CPU for that run. */
function served(server: ChildProcess, run: () => Promise<Measurement>): Promise<ServedMeasurement> {
  return bestOf(2, async () => {
    const cpu = watchServerCpu(server.pid!);
    const m = await run();
    return { ...m, serverCpuSeconds: cpu.stop() };
  });
}

/** `CROWD` curl clients at once, each fetching the same file; wall time until the last one is done. */
async function crowd(port: number, name: string, outDir: string): Promise<Measurement> {
  mkdirSync(outDir, { recursive: true });
  const started = process.hrtime.bigint();
  const runs = Array.from({ length: CROWD }, (_, i) => measure('curl', ['-s', '--tftp-blksize', BLKSIZE, '-o', join(outDir, `c${i}`), `tftp://127.0.0.1:${port}/${name}`]));
  const all = await Promise.all(runs);
  rmSync(outDir, { recursive: true, force: true });
  return { wallSeconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: all.reduce((s, m) => s + m.cpuSeconds, 0), peakRssMiB: 0 };
}

export default {
  async run(): Promise<void> {
    const root = join(benchDir(), 'tftp-root');
    mkdirSync(root, { recursive: true });
    chmodSync(root, 0o755);
    const name = `file-${SIZE_MIB}MiB.bin`;
    chmodSync(randomFile(`tftp-root/${name}`, SIZE_MIB * 1024 * 1024), 0o644);
    readFileSync(join(root, name)); // page cache warm for both servers
    const crowdName = `crowd-${CROWD_MIB}MiB.bin`;
    chmodSync(randomFile(`tftp-root/${crowdName}`, CROWD_MIB * 1024 * 1024), 0o644);
    const crowdDir = join(benchDir(), 'tftp-crowd');
    const crowdRows: Record<string, string | number>[] = [];
    const crowdRow = (setup: string, m: ServedMeasurement): void => {
      crowdRows.push({ setup, 'MiB/s (all)': (CROWD * CROWD_MIB) / m.wallSeconds, 'clients cpu s': m.cpuSeconds, 'server cpu s': m.serverCpuSeconds });
    };
    const out = join(benchDir(), 'tftp-out');
    const curl = (port: number) => (): Promise<Measurement> => measure('curl', ['-s', '--tftp-blksize', BLKSIZE, '-o', out, `tftp://127.0.0.1:${port}/${name}`]);
    const rows: Record<string, string | number>[] = [];
    const row = (setup: string, m: ServedMeasurement): void => {
      rows.push({ setup, 'MiB/s': SIZE_MIB / m.wallSeconds, 'client cpu s': m.cpuSeconds, 'server cpu s': m.serverCpuSeconds });
    };
    await withServer(() => spawn('/usr/sbin/in.tftpd', ['-L', '-a', '127.0.0.1:18561', '-s', root], { stdio: 'ignore' }), async (hpa) => {
      row(`tftpd-hpa, curl, blksize ${BLKSIZE}`, await served(hpa, curl(18561)));
      crowdRow('tftpd-hpa', await served(hpa, () => crowd(18561, crowdName, crowdDir)));
    });
    const tandem = (...extra: string[]) => (): ChildProcess => spawn(process.execPath, [TANDEM, 'serve', root, '--tftp', '127.0.0.1:18562', '--quiet', ...extra], { stdio: 'ignore' });
    await withServer(tandem('--tftp-busy-poll', '0'), async (server) => {
      row(`tandem --tftp-busy-poll 0, curl, blksize ${BLKSIZE}`, await served(server, curl(18562)));
    });
    await withServer(tandem(), async (server) => {
      row(`tandem, curl, blksize ${BLKSIZE}`, await served(server, curl(18562)));
      crowdRow('tandem', await served(server, () => crowd(18562, crowdName, crowdDir)));
      for (const w of ['1', '16']) {
        const dir = join(benchDir(), 'tftp-get');
        const get = (): Promise<Measurement> => measure(process.execPath, [TANDEM, 'get', `tftp://127.0.0.1:18562/${name}`, '-o', dir, '--blksize', BLKSIZE, '--windowsize', w, '--quiet']);
        row(`tandem, tandem get, blksize ${BLKSIZE}, windowsize ${w}`, await served(server, get));
        rmSync(dir, { recursive: true, force: true });
      }
    });
    rmSync(out, { force: true });
    for (const r of rows) r['vs tftpd-hpa'] = Number(r['MiB/s']) / Number(rows[0]!['MiB/s']);
    console.log(`${SIZE_MIB} MiB over TFTP on loopback, best of 2; goals: tandem ≥ 1 × tftpd-hpa at the same block size, windowsize 16 ≥ 3 ×`);
    printTable(rows);
    for (const r of crowdRows) r['vs tftpd-hpa'] = Number(r['MiB/s (all)']) / Number(crowdRows[0]!['MiB/s (all)']);
    console.log(`\n${CROWD} curl clients at once, ${CROWD_MIB} MiB each, lock-step at blksize ${BLKSIZE}, best of 2 (no goal: the server's CPU per block decides)`);
    printTable(crowdRows);
  },
};
