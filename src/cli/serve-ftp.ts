/**
 * `tandem serve --ftp HOST:PORT` and `--ftps HOST:PORT`: the FTP server (plain with explicit FTPS when a
 * certificate is given, implicit FTPS on its own port) over the served folder, with a log line per login and
 * transfer on stdout, as TFTP logs, and an `ftp:*` JSON event under --json.
 */
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { FtpServer, formatFtpLine, type FtpServerOptions } from '../ftp/index.js';
import { parseCredentials } from '../http/index.js';
import { TandemError } from '../util/errors.js';
import { closeAccessLog, openAccessLog } from './log-file.js';
import type { Output } from './output.js';

export interface FtpFlags {
  ftp?: string;
  ftps?: string;
  ftpWrite?: boolean;
  ftpPasvPorts?: string;
  ftpPasvAddress?: string;
  ftpTlsRequired?: boolean;
  ftpAllowUnresumedTls?: boolean;
  /** `--ftp-access-log FILE`: the log lines go there instead of stdout. */
  ftpAccessLog?: string;
  tlsCert?: string;
  tlsKey?: string;
  auth?: string;
}

const usage = (message: string): TandemError => new TandemError('CLI_USAGE', message, 'input');

type HostPortParser = (text: string, option: string) => { host: string; port: number };

/** Starts the servers the flags ask for; returns their stops. */
export async function startFtp(dir: string, flags: FtpFlags, out: Output, parseHostPort: HostPortParser): Promise<(() => Promise<void>)[]> {
  const base = await ftpOptions(dir, flags);
  const file = flags.ftpAccessLog === undefined ? undefined : openAccessLog(flags.ftpAccessLog, '--ftp-access-log', out);
  // Under --quiet or --json no line is printed, so none is formatted (a mirror makes thousands).
  const quiet = out.flags.quiet || out.flags.json;
  const logLine = file ? (line: string) => file.write(line + '\n') : quiet ? undefined : (line: string) => out.line(line);
  const stops: (() => Promise<void>)[] = [];
  if (file) stops.push(() => closeAccessLog(file)); // run last: the stops run in reverse
  try {
    if (flags.ftp) stops.push(await startOne({ ...base, ...parseHostPort(flags.ftp, '--ftp') }, 'ftp', dir, out, logLine));
    if (flags.ftps) stops.push(await startOne({ ...base, ...parseHostPort(flags.ftps, '--ftps'), implicitTls: true }, 'ftps', dir, out, logLine));
  } catch (err) {
    for (const stop of stops.reverse()) await stop();
    throw err;
  }
  return stops;
}

/** The flags that name the account and certificate: `serve` shares them with HTTPS, the daemon prefixes them. */
export interface FtpFlagNames {
  auth: string;
  tlsCert: string;
}

const SERVE_NAMES: FtpFlagNames = { auth: '--auth', tlsCert: '--tls-cert and --tls-key' };

/** Checks the FTP flags and reads the certificate: the options of every listener they ask for. */
export async function ftpOptions(dir: string, flags: FtpFlags, names: FtpFlagNames = SERVE_NAMES): Promise<FtpServerOptions> {
  if (flags.ftps && !flags.tlsCert) throw usage(`--ftps needs ${names.tlsCert}`);
  if ((flags.ftpTlsRequired || flags.ftpAllowUnresumedTls) && !flags.tlsCert) throw usage(`--ftp-tls-required and --ftp-allow-unresumed-tls need ${names.tlsCert}`);
  if (flags.ftpWrite && flags.auth === undefined) throw usage(`--ftp-write needs ${names.auth} USER:PASS: anonymous FTP sessions never write`);
  let auth;
  if (flags.auth !== undefined) {
    auth = parseCredentials(flags.auth);
    if (!auth) throw usage(`${names.auth}: expected USER:PASS`);
  }
  let tls;
  if (flags.tlsCert) {
    try {
      tls = { cert: await readFile(flags.tlsCert), key: await readFile(flags.tlsKey!), required: Boolean(flags.ftpTlsRequired), allowUnresumed: Boolean(flags.ftpAllowUnresumedTls) };
    } catch (err) {
      throw usage(`cannot read the TLS files: ${(err as Error).message}`);
    }
  }
  let pasvPorts: [number, number] | undefined;
  if (flags.ftpPasvPorts !== undefined) {
    const m = /^(\d{4,5})-(\d{4,5})$/.exec(flags.ftpPasvPorts);
    pasvPorts = m ? [Number(m[1]), Number(m[2])] : undefined;
    if (!pasvPorts || pasvPorts[0] > pasvPorts[1] || pasvPorts[1] > 65535 || pasvPorts[0] < 1024) throw usage(`--ftp-pasv-ports: "${flags.ftpPasvPorts}" is not A-B with 1024 ≤ A ≤ B ≤ 65535`);
  }
  if (flags.ftpPasvAddress !== undefined && !isIPv4(flags.ftpPasvAddress)) throw usage(`--ftp-pasv-address: "${flags.ftpPasvAddress}" is not an IPv4 address`);
  return { root: dir, tls, auth: auth ? { user: auth.user, pass: auth.pass } : undefined, allowWrite: Boolean(flags.ftpWrite), pasvPorts, pasvAddress: flags.ftpPasvAddress };
}

async function startOne(options: FtpServerOptions, scheme: 'ftp' | 'ftps', dir: string, out: Output, logLine: ((line: string) => void) | undefined): Promise<() => Promise<void>> {
  const server = new FtpServer({
    ...options,
    onEvent: (e) => {
      const line = logLine && formatFtpLine(e);
      if (line) logLine(line);
      out.json(e);
    },
    onError: (err) => out.detail(`${scheme}: ${(err as Error).stack ?? String(err)}`),
  });
  const addr = await server.start();
  const url = `${scheme}://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}/`;
  out.line(`${scheme}: serving ${dir} at ${url}${scheme === 'ftp' && options.tls ? ' (AUTH TLS offered)' : ''}`);
  out.json({ event: 'listening', protocol: scheme, host: addr.host, port: addr.port, url });
  return () => server.stop();
}
