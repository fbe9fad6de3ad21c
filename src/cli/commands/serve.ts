import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { HTTP_DEFAULTS, HttpFileServer, parseCredentials } from '../../http/index.js';
import { TftpServer, TFTP_DEFAULTS } from '../../tftp/index.js';
import { TandemError } from '../../util/errors.js';
import { addCommonFlags, Output, runCommand, type CommonFlags } from '../output.js';
import { parseBytes } from '../units.js';

interface ServeFlags extends CommonFlags {
  http?: string;
  tftp?: string;
  tlsCert?: string;
  tlsKey?: string;
  auth?: string;
  accessLog?: string;
  upload?: boolean;
  uploadMax?: string;
  tftpWrite?: boolean;
  seed?: boolean;
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
    .description('serve a folder over HTTP and/or TFTP')
    .argument('[dir]', 'folder to serve', '.')
    .option('--http <host:port>', `serve HTTP on this address (port 0 picks one; e.g. 127.0.0.1:${HTTP_DEFAULTS.port})`)
    .option('--tftp <host:port>', `serve TFTP on this address (e.g. 127.0.0.1:${TFTP_DEFAULTS.port})`)
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS instead of HTTP (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--auth <user:pass>', 'require HTTP Basic authentication with these credentials')
    .option('--access-log <file>', 'append the HTTP access log (Combined Log Format) here instead of stdout')
    .option('--upload', 'accept HTTP PUT uploads into the folder')
    .option('--upload-max <bytes>', 'largest accepted upload (default 1GiB)')
    .option('--tftp-write', 'accept TFTP write requests (new files only)')
    .option('--seed', 'also seed the folder as a torrent with a web seed (not built yet)')
    .addHelpText('after', '\nExamples:\n  tandem serve ./public --http 127.0.0.1:8080\n  tandem serve ./boot --tftp 127.0.0.1:6969 --tftp-write\n  tandem serve . --http 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --auth me:secret --upload');
  addCommonFlags(cmd);
  return cmd.action((dir: string, flags: ServeFlags) => runCommand(flags, () => serve(dir, flags)));
}

async function serve(dir: string, flags: ServeFlags): Promise<number> {
  if (!flags.http && !flags.tftp) throw usage('give at least one of --http HOST:PORT and --tftp HOST:PORT');
  if (flags.seed) throw new TandemError('CLI_NOT_BUILT', 'serve --seed is not built yet', 'runtime');
  if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw usage('--tls-cert and --tls-key go together');
  const out = new Output(flags);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    if (flags.http) stops.push(await startHttp(dir, flags, out));
    if (flags.tftp) stops.push(await startTftp(dir, flags, out));
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

async function startHttp(dir: string, flags: ServeFlags, out: Output): Promise<() => Promise<void>> {
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
  const accessLog = flags.accessLog ? createWriteStream(flags.accessLog, { flags: 'a' }) : flags.quiet || flags.json ? undefined : process.stdout;
  const server = new HttpFileServer({
    root: dir,
    host,
    port,
    tls,
    auth,
    accessLog,
    uploadMaxBytes: flags.upload ? (flags.uploadMax ? parseBytes(flags.uploadMax, '--upload-max') : HTTP_DEFAULTS.uploadMaxBytes) : undefined,
    onError: (err) => out.detail(`http: ${(err as Error).stack ?? String(err)}`),
  });
  const addr = await server.start();
  out.line(`http: serving ${dir} at ${addr.url}`);
  out.json({ event: 'listening', protocol: tls ? 'https' : 'http', host: addr.host, port: addr.port, url: addr.url });
  return async () => {
    await server.stop();
    if (flags.accessLog && accessLog) await new Promise<void>((resolve) => accessLog.end(() => resolve()));
  };
}

async function startTftp(dir: string, flags: ServeFlags, out: Output): Promise<() => Promise<void>> {
  const { host, port } = parseHostPort(flags.tftp!, '--tftp');
  const server = new TftpServer({
    root: dir,
    host,
    port,
    allowWrite: Boolean(flags.tftpWrite),
    onTransfer: (t) => out.detail(`tftp: ${t.direction} ${t.file} ${t.remote} ${t.outcome} ${t.bytes} bytes`),
  });
  const addr = await server.start();
  out.line(`tftp: serving ${dir} at tftp://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}/`);
  out.json({ event: 'listening', protocol: 'tftp', host: addr.host, port: addr.port });
  return () => server.stop();
}
