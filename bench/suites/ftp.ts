// FTP on loopback, side by side in one run, curl as the client for both servers: tandem against Debian's vsftpd for
// a 1 GiB RETR and a 1 GiB STOR, plain and over explicit FTPS (curl --ssl-reqd, data sessions resumed on both),
// then 1,000 small files mirrored with lftp, twice: as the first work of a freshly started server, and as its
// fourth mirror (when V8 has compiled tandem's code for them). Beside each rate, the server's CPU seconds per GiB
// moved (vsftpd works in forked children and grandchildren: all of its descendants are counted).
// Both servers run at once and take turns on each row (see alternate()). Goals: tandem ≥ 1 × vsftpd's rate in each row.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spread } from '../../src/lab/report.js';
import { benchDir, randomFile } from '../data.js';
import { measure, printTable, type Measurement } from '../measure.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SIZE_MIB = Number(process.env.BENCH_FTP_MIB ?? 1024);
const SMALL_FILES = 1000;
/** Runs of each server per row (BENCH_FTP_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_FTP_ROUNDS ?? 5);
const VSFTPD_PORT = 18631;
const TANDEM_PORT = 18632;

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** CPU of a server and every process below it, sampled every 20 ms (children may exit before the end). */
function watchTree(pid: number): { stop(): number } {
  const start = new Map<number, number>([[pid, cpuOf(pid)], ...descendants(pid).map((c) => [c, cpuOf(c)] as [number, number])]);
  const last = new Map<number, number>();
  const sample = (): void => {
    for (const p of [pid, ...descendants(pid)]) last.set(p, cpuOf(p));
  };
  const timer = setInterval(sample, 20);
  return {
    stop(): number {
      sample();
      clearInterval(timer);
      let sum = 0;
      for (const [p, cpu] of last) sum += Math.max(0, cpu - (start.get(p) ?? 0));
      return sum;
    },
  };
}

async function untilListening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

type Row = Record<string, string | number>;
type Served = { name: string; pid: number; port: number; user: string };
type Sample = { wallSeconds: number; serverCpu: number; clientCpu: number };

const median = (xs: number[]): number => spread(xs).median;

/** One timed run: wall time from our own clock (GNU time's is in 10 ms steps, 2% of a 1 GiB RETR), CPU of both sides. */
async function timed(sv: Served, run: (sv: Served) => Promise<Measurement>): Promise<Sample> {
  const w = watchTree(sv.pid);
  const t0 = performance.now();
  const m = await run(sv);
  const wallSeconds = (performance.now() - t0) / 1000;
  return { wallSeconds, serverCpu: w.stop(), clientCpu: m.cpuSeconds };
}

/**
 * Each server runs the test in turn, ROUNDS times, the order flipped every round (vsftpd, tandem; tandem, vsftpd; ...):
 * the load of a shared machine changes by the minute, and taking turns gives both servers the same share of it.
 * The rows give medians: vsftpd's RETR is bimodal here (0.36 or 0.63 s a GiB, by where the scheduler puts curl and
 * its child), and a best-of-N would compare the luckier tail of one with the other's.
 */
async function alternate(servers: Served[], run: (sv: Served) => Promise<Measurement>): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(servers.map((sv) => [sv.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const sv of order) samples.get(sv.name)!.push(await timed(sv, run));
  }
  return samples;
}

/**
 * Rows of one test: the median rate, CPU per unit moved, and tandem's ratio to vsftpd: of the medians, and the
 * lowest and highest of the ratios within one round (the two runs that ran side by side).
 */
function rowsOf(test: string, samples: Map<string, Sample[]>, unit: { name: string; amount: number; cpuName: string; cpuPer: number }): Row[] {
  const ref = samples.get('vsftpd')!;
  const rate = (xs: Sample[]): number => median(xs.map((x) => unit.amount / x.wallSeconds));
  return [...samples].map(([name, xs]) => {
    const perRound = xs.map((x, i) => ref[i]!.wallSeconds / x.wallSeconds);
    return {
      server: name,
      test,
      [unit.name]: rate(xs),
      [unit.cpuName]: median(xs.map((x) => x.serverCpu / unit.cpuPer)),
      'client cpu s': median(xs.map((x) => x.clientCpu)),
      'vs vsftpd': rate(xs) / rate(ref),
      'per round': `${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}`,
    };
  });
}

export default {
  async run(): Promise<void> {
    const base = join(benchDir(), 'ftp');
    const root = join(base, 'root');
    const incoming = join(root, 'incoming');
    const small = join(root, 'small');
    mkdirSync(incoming, { recursive: true });
    mkdirSync(small, { recursive: true });
    chmodSync(base, 0o755);
    chmodSync(root, 0o755); // vsftpd refuses a writable anonymous root; uploads go to incoming/, owned by ftp
    const [uid, gid] = ftpUser();
    chownSync(incoming, uid, gid);
    const big = `file-${SIZE_MIB}MiB.bin`;
    chmodSync(randomFile(`ftp/root/${big}`, SIZE_MIB * 1024 * 1024), 0o644);
    for (let i = 0; i < SMALL_FILES; i++) writeFileSync(join(small, `f${i}.txt`), `small file ${i}\n`.repeat(20));
    const upload = join(base, big); // the file curl uploads, outside the served root
    randomFile(`ftp/${big}`, SIZE_MIB * 1024 * 1024);
    readFileSync(join(root, big)); // warm the page cache for both servers
    const { certPath, keyPath } = makeCert(base);
    mkdirSync(join(base, 'empty'), { recursive: true });
    const rows: Row[] = [];
    const gib = SIZE_MIB / 1024;
    const conf = join(base, 'vsftpd.conf');
    writeFileSync(
      conf,
      [
        'listen=YES', 'listen_ipv6=NO', 'background=NO', 'listen_address=127.0.0.1', `listen_port=${VSFTPD_PORT}`,
        'anonymous_enable=YES', 'local_enable=NO', `anon_root=${root}`, 'no_anon_password=YES',
        'write_enable=YES', 'anon_upload_enable=YES', 'seccomp_sandbox=NO', `secure_chroot_dir=${join(base, 'empty')}`,
        'ftp_username=ftp', 'xferlog_enable=NO', 'ssl_enable=YES', 'allow_anon_ssl=YES', `rsa_cert_file=${certPath}`,
        `rsa_private_key_file=${keyPath}`, 'force_anon_data_ssl=NO', 'force_anon_logins_ssl=NO', '',
      ].join('\n'),
    );
    const running: ChildProcess[] = [];
    /** Both servers, freshly started. */
    const start = async (): Promise<Served[]> => {
      const vsftpd = spawn('/usr/sbin/vsftpd', [conf], { stdio: 'ignore' });
      const tandem = spawn(process.execPath, [TANDEM, 'serve', root, '--ftp', `127.0.0.1:${TANDEM_PORT}`, '--tls-cert', certPath, '--tls-key', keyPath, '--auth', 'bench:bench', '--ftp-write', '--quiet'], { stdio: 'ignore' });
      running.push(vsftpd, tandem);
      const servers: Served[] = [
        { name: 'vsftpd', pid: vsftpd.pid!, port: VSFTPD_PORT, user: '' },
        { name: 'tandem', pid: tandem.pid!, port: TANDEM_PORT, user: 'bench:bench@' },
      ];
      await Promise.all(servers.map((sv) => untilListening(sv.port)));
      return servers;
    };
    const stopAll = async (): Promise<void> => {
      for (const child of running.splice(0)) {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
      }
    };
    const freshIncoming = (): void => {
      rmSync(incoming, { recursive: true, force: true });
      mkdirSync(incoming);
      chownSync(incoming, uid, gid);
    };
    let n = 0;
    const tls = ['--ssl-reqd', '--cacert', certPath];
    const url = (sv: Served): string => `ftp://${sv.user}127.0.0.1:${sv.port}`;
    const bulk: [string, (sv: Served) => Promise<Measurement>][] = [
      [`RETR ${SIZE_MIB} MiB`, (sv) => measure('curl', ['-sS', '-o', '/dev/null', `${url(sv)}/${big}`])],
      [`RETR ${SIZE_MIB} MiB, TLS`, (sv) => measure('curl', ['-sS', ...tls, '-o', '/dev/null', `${url(sv)}/${big}`])],
      [`STOR ${SIZE_MIB} MiB`, (sv) => measure('curl', ['-sS', '-T', upload, `${url(sv)}/incoming/up${n++}.bin`]).finally(freshIncoming)],
      [`STOR ${SIZE_MIB} MiB, TLS`, (sv) => measure('curl', ['-sS', ...tls, '-T', upload, `${url(sv)}/incoming/up${n++}.bin`]).finally(freshIncoming)],
    ];
    const mirror = join(base, 'mirror');
    const lftp = (sv: Served): Promise<Measurement> => {
      rmSync(mirror, { recursive: true, force: true });
      const login = sv.user ? `-u ${sv.user.slice(0, -1).replace(':', ',')} ` : '';
      return measure('lftp', ['-c', `set ftp:ssl-allow no; open ${login}ftp://127.0.0.1:${sv.port}; mirror /small ${mirror}`]);
    };
    const bytes = { name: 'MiB/s', amount: SIZE_MIB, cpuName: 'server cpu s/GiB', cpuPer: gib };
    const files = { name: 'files/s', amount: SMALL_FILES, cpuName: 'server cpu s', cpuPer: 1 };
    try {
      const servers = await start();
      for (const [test, run] of bulk) rows.push(...rowsOf(test, await alternate(servers, run), bytes));
      await stopAll();
      // The first mirror is the first work a freshly started tandem does: V8 has yet to compile its code for small
      // files. So each round starts both servers afresh, times one mirror on each, mirrors twice more untimed, and
      // times the fourth.
      const first = new Map<string, Sample[]>([['vsftpd', []], ['tandem', []]]);
      const fourth = new Map<string, Sample[]>([['vsftpd', []], ['tandem', []]]);
      for (let round = 0; round < ROUNDS; round++) {
        const fresh = await start();
        const order = round % 2 === 0 ? fresh : [...fresh].reverse();
        for (const sv of order) first.get(sv.name)!.push(await timed(sv, lftp));
        for (let i = 0; i < 2; i++) for (const sv of order) await lftp(sv);
        for (const sv of order) fourth.get(sv.name)!.push(await timed(sv, lftp));
        await stopAll();
      }
      rows.push(...rowsOf(`lftp mirror ${SMALL_FILES} small files, a fresh server's first`, first, files));
      rows.push(...rowsOf(`lftp mirror ${SMALL_FILES} small files, its 4th`, fourth, files));
    } finally {
      await stopAll();
      rmSync(mirror, { recursive: true, force: true });
    }
    rmSync(incoming, { recursive: true, force: true });
    console.log(`FTP on loopback, curl (and lftp for the small files) against both servers taking turns, ${ROUNDS} rounds, medians, ${gib} GiB transfers; goal: tandem ≥ 1 × vsftpd in each row`);
    printTable(rows.filter((r) => 'MiB/s' in r));
    console.log('');
    printTable(rows.filter((r) => 'files/s' in r));
  },
};

/** vsftpd's anonymous user (Debian's package makes `ftp`): it owns incoming/, where anonymous uploads go. */
function ftpUser(): [number, number] {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('ftp:'));
  if (!line) throw new Error('no ftp user: install vsftpd with scripts/install-test-deps.sh');
  const f = line.split(':');
  return [Number(f[2]), Number(f[3])];
}

function makeCert(dir: string): { certPath: string; keyPath: string } {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const r = spawnSyncOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath]);
  if (!r) throw new Error('openssl could not make a certificate');
  chmodSync(keyPath, 0o600);
  return { certPath, keyPath };
}

function spawnSyncOk(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}
