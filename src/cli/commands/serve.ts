import { closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { HTTP_DEFAULTS, HttpFileServer, parseCredentials, type HttpServerOptions } from '../../http/index.js';
import { defaultSeedCacheDir, isServeWorker, reportToPrimary, SEED_DEFAULTS, SeedingFileServer, stopRequested, WorkerPool, type SeedEvent } from '../../serve/index.js';
import { isPieceLength } from '../../metainfo/index.js';
import { TokenBucket } from '../../swarm/index.js';
import { parsePort } from '../torrent-flags.js';
import { formatTransferLine, TftpServer, TFTP_DEFAULTS } from '../../tftp/index.js';
import { startFtp, type FtpFlags } from '../serve-ftp.js';
import { closeAccessLog, openAccessLog, openLogFile } from '../log-file.js';
import { TandemError } from '../../util/errors.js';
import { wholeNumberFlag } from '../options.js';
import { addCommonFlags, Output, runCommand, type CommonFlags } from '../output.js';
import { formatBytes, parseBytes } from '../units.js';

interface ServeFlags extends CommonFlags, FtpFlags {
  http?: string;
  tftp?: string;
  tlsCert?: string;
  tlsKey?: string;
  auth?: string;
  accessLog?: string;
  upload?: boolean;
  uploadMax?: string;
  tftpWrite?: boolean;
  tftpBusyPoll?: string;
  seed?: boolean;
  seedCache?: string;
  seedPort?: string;
  seedMinSize?: string;
  seedPieceLength?: string;
  publicUrl?: string;
  uploadLimit?: string;
  workers?: string;
  maxConnections?: string;
  headersTimeout?: string;
}

const usage = (message: string): TandemError => new TandemError('CLI_USAGE', message, 'input');

/** Splits `HOST:PORT`, `[V6]:PORT` or a bare `PORT` (then on 127.0.0.1, DESIGN.md §8). */
export function parseHostPort(text: string, option: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw usage(`${option}: "${text}" is not HOST:PORT (example: 127.0.0.1:8080)`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

export default function serveCommand(): Command {
  const cmd = new Command('serve')
    .description('serve a folder over HTTP, TFTP and/or FTP(S)')
    .argument('[dir]', 'folder to serve', '.')
    .option('--http <host:port>', `serve HTTP on this address (port 0 picks one; e.g. 127.0.0.1:${HTTP_DEFAULTS.port})`)
    .option('--tftp <host:port>', `serve TFTP on this address (e.g. 127.0.0.1:${TFTP_DEFAULTS.port})`)
    .option('--ftp <host:port>', 'serve FTP on this address, with explicit FTPS (AUTH TLS) when --tls-cert is given (e.g. 127.0.0.1:2121)')
    .option('--ftps <host:port>', 'serve implicit FTPS (TLS from the first byte) on this address (needs --tls-cert and --tls-key)')
    .option('--ftp-write', 'let the --auth user upload, rename and delete over FTP (anonymous sessions never write)')
    .option('--ftp-pasv-ports <a-b>', 'take passive data ports from this range (for a firewall or NAT)')
    .option('--ftp-pasv-address <ip>', 'the IPv4 address PASV replies name (a server behind NAT)')
    .option('--ftp-tls-required', 'refuse FTP logins before AUTH TLS and clear data connections (PROT C)')
    .option('--ftp-access-log <file>', 'append the FTP login and transfer log to this file (default: stdout, none with --quiet or --json)')
    .option('--ftp-allow-unresumed-tls', "accept TLS data connections that do not resume the control connection's session (Python's ftplib)")
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS instead of HTTP, and FTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--auth <user:pass>', 'require HTTP Basic authentication with these credentials; over FTP, only this user logs in')
    .option('--access-log <file>', 'append the HTTP access log (Combined Log Format) to this file (default: stdout, none with --quiet or --json)')
    .option('--upload', 'accept HTTP PUT uploads into the folder')
    .option('--upload-max <bytes>', 'largest accepted upload (default 1GiB)')
    .option('--tftp-write', 'accept TFTP write requests (new files only)')
    .option('--tftp-busy-poll <us>', `after each TFTP send, poll this many microseconds for the reply instead of sleeping, while the client answers that fast (loopback, a fast LAN): faster lock-step transfers for up to one core of CPU; 0 never polls (default ${TFTP_DEFAULTS.busyPollMicros})`)
    .option('--upload-limit <rate>', 'cap what the server sends in total, bytes per second (HTTP bodies and, with --seed, peer uploads share it; e.g. 2MiB)')
    .option('--seed', 'make a torrent for each served file (Link header, ?torrent), seed it, and run its tracker at /announce')
    .option('--seed-cache <dir>', `where --seed keeps the torrents it made, outside DIR (default ${defaultSeedCacheDir()})`)
    .option('--seed-port <n>', 'port the --seed peer listens on (default: any free port)')
    .option('--seed-piece-length <bytes>', 'piece length of the torrents --seed makes, a power of two from 16KiB (default: chosen from each file\'s size)')
    .option('--seed-min-size <bytes>', `smallest file --seed makes a torrent for (default ${formatBytes(SEED_DEFAULTS.minFileBytes)})`)
    .option('--workers <n>', 'HTTP worker processes sharing the port, or "auto" for one per core (default 1; not with --seed or --upload-limit)')
    .option('--max-connections <n>', `HTTP connections held at once; the next is answered 503 with Retry-After (default ${HTTP_DEFAULTS.maxConnections}, per worker)`)
    .option('--headers-timeout <seconds>', `close an HTTP connection that has not sent a whole request head within this time (default ${HTTP_DEFAULTS.headersTimeoutMs / 1000})`)
    .option('--public-url <url>', 'the base URL clients reach this server at, named in --seed torrents (default: the --http address)')
    .addHelpText('after', '\nExamples:\n  tandem serve ./public --http 127.0.0.1:8080\n  tandem serve ./boot --tftp 127.0.0.1:6969 --tftp-write\n  tandem serve ./pub --ftp 127.0.0.1:2121 --ftps 127.0.0.1:2990 --tls-cert cert.pem --tls-key key.pem\n  tandem serve . --http 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --auth me:secret --upload\n  tandem serve ./iso --http 127.0.0.1:8080 --seed --upload-limit 2MiB    # then: tandem get http://127.0.0.1:8080/big.iso');
  addCommonFlags(cmd);
  return cmd.action((dir: string, flags: ServeFlags) => runCommand(flags, () => serve(dir, flags)));
}

async function serve(dir: string, flags: ServeFlags): Promise<number> {
  if (!flags.http && !flags.tftp && !flags.ftp && !flags.ftps) throw usage('give at least one of --http, --tftp, --ftp and --ftps HOST:PORT');
  if (flags.seed && !flags.http) throw usage('--seed needs --http: the torrents name the HTTP server as web seed and tracker');
  if (flags.seed && flags.auth !== undefined) throw usage('--seed and --auth do not go together: peers and web-seed clients send no credentials');
  if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw usage('--tls-cert and --tls-key go together');
  const workers = parseWorkers(flags);
  const out = new Output(flags);
  if (isServeWorker()) return serveAsWorker(dir, flags, out);
  if (flags.accessLog && workers > 1) closeSync(openLogFile(flags.accessLog, '--access-log')); // each worker opens its own; say no once, here
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    if (flags.http) stops.push(workers > 1 ? await startWorkers(dir, workers, flags, out) : await startHttp(dir, flags, out));
    if (flags.tftp) stops.push(await startTftp(dir, flags, out));
    if (flags.ftp || flags.ftps) stops.push(...(await startFtp(dir, flags, out, parseHostPort)));
  } catch (err) {
    await stopAll();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await stopAll();
  return 0;
}

/** `--workers N|auto`: 1 unless asked; refused where state must be shared by one process. */
function parseWorkers(flags: ServeFlags): number {
  if (flags.workers === undefined) return 1;
  const n = flags.workers === 'auto' ? availableParallelism() : /^\d{1,3}$/.test(flags.workers) ? Number(flags.workers) : NaN;
  if (!(n >= 1 && n <= 256)) throw usage(`--workers: "${flags.workers}" is not a number from 1 to 256 or "auto"`);
  if (n > 1 && !flags.http) throw usage('--workers is for --http');
  if (n > 1 && flags.seed) throw usage('--workers and --seed do not go together: the torrents, tracker and peer live in one process');
  if (n > 1 && flags.uploadLimit !== undefined) throw usage('--workers and --upload-limit do not go together: the limit is one budget in one process');
  return n;
}

/** The primary of `--workers`: forks the HTTP workers; TFTP, if asked for, stays in this process. */
async function startWorkers(dir: string, count: number, flags: ServeFlags, out: Output): Promise<() => Promise<void>> {
  const pool = new WorkerPool(count, (message) => out.warn(`http: ${message}`));
  let addr;
  try {
    addr = await pool.start();
  } catch (err) {
    await pool.stop();
    throw err;
  }
  out.line(`http: serving ${dir} at ${addr.url} (${count} worker processes)`);
  out.json({ event: 'listening', protocol: flags.tlsCert ? 'https' : 'http', host: addr.host, port: addr.port, url: addr.url, workers: count });
  return async () => reportSent(out, await pool.stop(), 0);
}

/** One HTTP worker of `--workers`: serves until the primary says stop, then reports what it sent. */
async function serveAsWorker(dir: string, flags: ServeFlags, out: Output): Promise<number> {
  const quiet = new Output({ ...flags, quiet: true, json: false });
  let stop;
  try {
    stop = await startHttp(dir, flags, quiet, {
      listening: (addr) => reportToPrimary({ kind: 'listening', url: addr.url, host: addr.host, port: addr.port }),
      stopped: (sentBytes) => reportToPrimary({ kind: 'sent', bytes: sentBytes }),
    });
  } catch (err) {
    reportToPrimary({ kind: 'failed', message: (err as Error).message });
    throw err;
  }
  await stopRequested();
  await stop();
  out.detail('http worker stopped');
  return 0;
}

/** What a `--workers` worker tells its primary: where it listens, and at stop what it sent. */
interface WorkerReport {
  listening(addr: { url: string; host: string; port: number }): void;
  stopped(sentBytes: number): void;
}

async function startHttp(dir: string, flags: ServeFlags, out: Output, report?: WorkerReport): Promise<() => Promise<void>> {
  const { host, port } = parseHostPort(flags.http!, '--http');
  let auth;
  if (flags.auth !== undefined) {
    auth = parseCredentials(flags.auth);
    if (!auth) throw usage('--auth: expected USER:PASS');
  }
  let tls;
  if (flags.tlsCert) {
    try {
      tls = { cert: await readFile(flags.tlsCert), key: await readFile(flags.tlsKey!) };
    } catch (err) {
      throw usage(`cannot read the TLS files: ${(err as Error).message}`);
    }
  }
  // A worker's Output is quiet, but `flags` are the command line's, so its access log goes where the primary's would.
  const accessLog = flags.accessLog ? openAccessLog(flags.accessLog, '--access-log', out) : flags.quiet || flags.json ? undefined : process.stdout;
  const options: HttpServerOptions = {
    root: dir,
    host,
    port,
    tls,
    auth,
    accessLog,
    uploadMaxBytes: flags.upload ? (flags.uploadMax ? parseBytes(flags.uploadMax, '--upload-max') : HTTP_DEFAULTS.uploadMaxBytes) : undefined,
    onError: (err) => out.detail(`http: ${(err as Error).stack ?? String(err)}`),
    maxConnections: wholeNumberFlag(flags.maxConnections, '--max-connections', 1, 1_000_000),
  };
  const headersTimeoutS = wholeNumberFlag(flags.headersTimeout, '--headers-timeout', 1, 3600);
  if (headersTimeoutS !== undefined) options.limits = { headersTimeoutMs: headersTimeoutS * 1000 };
  const limit = flags.uploadLimit === undefined ? 0 : parseBytes(flags.uploadLimit, '--upload-limit');
  const closeLog = async (): Promise<void> => {
    if (flags.accessLog && accessLog) await closeAccessLog(accessLog);
  };
  if (flags.seed) return startSeeding(dir, flags, out, options, limit, closeLog);
  const server = new HttpFileServer({ ...options, sendBudget: limit > 0 ? new TokenBucket(limit) : undefined });
  const addr = await server.start();
  report?.listening(addr);
  out.line(`http: serving ${dir} at ${addr.url}`);
  out.json({ event: 'listening', protocol: tls ? 'https' : 'http', host: addr.host, port: addr.port, url: addr.url });
  return async () => {
    await server.stop();
    report?.stopped(server.bodyBytesSent);
    reportSent(out, server.bodyBytesSent, 0);
    await closeLog();
  };
}

function seedPieceLength(flags: ServeFlags): number | undefined {
  if (flags.seedPieceLength === undefined) return undefined;
  const bytes = parseBytes(flags.seedPieceLength, '--seed-piece-length');
  if (!isPieceLength(bytes)) throw usage('--seed-piece-length: a power of two from 16KiB to 256MiB');
  return bytes;
}

async function startSeeding(dir: string, flags: ServeFlags, out: Output, http: HttpServerOptions, limit: number, closeLog: () => Promise<void>): Promise<() => Promise<void>> {
  const server = new SeedingFileServer({
    http,
    cacheDir: flags.seedCache ?? defaultSeedCacheDir(),
    uploadLimitBytesPerSec: limit,
    publicUrl: flags.publicUrl,
    peerPort: flags.seedPort === undefined ? 0 : parsePort(flags.seedPort),
    seed: { minFileBytes: flags.seedMinSize === undefined ? undefined : parseBytes(flags.seedMinSize, '--seed-min-size'), pieceLengthBytes: seedPieceLength(flags) },
    onEvent: (e) => reportSeedEvent(out, e),
  });
  const addr = await server.start();
  out.line(`http: serving ${dir} at ${addr.url}`);
  out.line(`seed: torrents of served files, tracker at ${addr.url}announce, peer on port ${addr.peerPort}`);
  out.json({ event: 'listening', protocol: http.tls ? 'https' : 'http', host: addr.host, port: addr.port, url: addr.url, peerPort: addr.peerPort });
  return async () => {
    await server.stop();
    const sent = server.sent();
    reportSent(out, sent.httpBodyBytes, sent.peerBytes);
    await closeLog();
  };
}

function reportSeedEvent(out: Output, e: SeedEvent): void {
  out.json(e);
  if (e.event === 'seed:ready') out.detail(`seed: ${e.path} ready (${e.infoHash}${e.fromCache ? ', from the cache' : ''})`);
  else if (e.event === 'seed:retired') out.detail(`seed: ${e.path} retired: ${e.reason}`);
  else out.warn(`seed: ${e.path}: ${e.message}`);
}

/** The server's own account of what it sent, printed at exit (the origin-load test reads it). */
function reportSent(out: Output, httpBodyBytes: number, peerBytes: number): void {
  out.line(`sent: ${httpBodyBytes + peerBytes} bytes (${formatBytes(httpBodyBytes)} in HTTP bodies, ${formatBytes(peerBytes)} to peers)`);
  out.json({ event: 'sent', httpBodyBytes, peerBytes, totalBytes: httpBodyBytes + peerBytes });
}

async function startTftp(dir: string, flags: ServeFlags, out: Output): Promise<() => Promise<void>> {
  const { host, port } = parseHostPort(flags.tftp!, '--tftp');
  const server = new TftpServer({
    root: dir,
    host,
    port,
    allowWrite: Boolean(flags.tftpWrite),
    busyPollMicros: wholeNumberFlag(flags.tftpBusyPoll, '--tftp-busy-poll', 0, 100_000),
    // Every request gets a line, as the HTTP access log gives (stdout; a JSON event under --json; none with --quiet).
    onTransfer: (t) => {
      out.line(formatTransferLine(t));
      out.json({ event: 'tftp-transfer', ...t });
    },
  });
  const addr = await server.start();
  out.line(`tftp: serving ${dir} at tftp://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}/`);
  out.json({ event: 'listening', protocol: 'tftp', host: addr.host, port: addr.port });
  return () => server.stop();
}
