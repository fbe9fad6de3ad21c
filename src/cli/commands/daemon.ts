import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ApiServer, isLoopbackHostName, newToken } from '../../api/index.js';
import { parseCredentials } from '../../http/index.js';
import { defaultStateDir, Node, NODE_DEFAULTS, type NodeEvents, type SessionSettings, type ServerSpec } from '../../node/index.js';
import { TandemError } from '../../util/errors.js';
import { VERSION } from '../../util/version.js';
import { checkConfig, computeSpecOf, readConfig, type DaemonConfig } from '../daemon-config.js';
import { daemonFtpSpec, FTP_CONFIG_KEYS, type DaemonFtpConfig } from '../daemon-ftp.js';
import { repeatable } from '../options.js';
import { addCommonFlags, Output, runCommand, type CommonFlags } from '../output.js';

interface DaemonFlags extends CommonFlags, DaemonFtpConfig {
  config?: string;
  stateDir?: string;
  rpc?: string;
  rpcAuth?: string;
  port?: string;
  listen: string[];
  downloadDir?: string;
  serveDir?: string;
  http?: string;
  seed?: boolean;
  tftp?: string;
  tftpWrite?: boolean;
  trackerHttp?: string;
  trackerUdp?: string;
  dht?: boolean;
  dhtBootstrap: string[];
  computeProject?: string;
  computeHttp?: string;
}

const usage = (message: string): TandemError => new TandemError('CLI_USAGE', message, 'input');

export default function daemonCommand(): Command {
  const cmd = new Command('daemon')
    .description('run the node in the foreground: many torrents, the servers, the control API and the web UI')
    .option('--config <file>', 'JSON configuration file (flags win over it; re-read on SIGHUP)')
    .option('--state-dir <dir>', `where the state database and rpc-token live (default: $TANDEM_STATE_DIR, else ~/.local/state/tandem)`)
    .option('--rpc <host:port>', `control API and web UI address (default ${NODE_DEFAULTS.rpcHost}:${NODE_DEFAULTS.rpcPort})`)
    .option('--rpc-auth <user:pass>', 'Basic authentication on every path (required for a non-loopback --rpc)')
    .option('--port <n>', `peer port for every torrent (default ${NODE_DEFAULTS.peerPort}; 0: any free port)`)
    .option('--listen <host>', 'address to accept peers on (repeatable; default: every interface)', repeatable, [])
    .option('--download-dir <dir>', 'where added torrents are saved unless told otherwise (default ~/Downloads)')
    .option('--serve-dir <dir>', 'the folder the HTTP and TFTP servers serve')
    .option('--http <host:port>', 'run the HTTP file server on --serve-dir')
    .option('--seed', 'with --http: every served file is also a torrent (as serve --seed)')
    .option('--tftp <host:port>', 'run the TFTP server on --serve-dir')
    .option('--tftp-write', 'with --tftp: accept writes of new files')
    .option('--ftp <host:port>', 'run the FTP server on --serve-dir (anonymous and read-only unless --ftp-auth; AUTH TLS with --ftp-tls-cert)')
    .option('--ftps <host:port>', 'run implicit FTPS (TLS from the first byte) on --serve-dir (needs --ftp-tls-cert and --ftp-tls-key)')
    .option('--ftp-auth <user:pass>', 'only this FTP user logs in')
    .option('--ftp-write', 'let the --ftp-auth user upload, rename and delete (anonymous sessions never write)')
    .option('--ftp-tls-cert <file>', 'certificate (PEM) for FTPS')
    .option('--ftp-tls-key <file>', 'private key (PEM) for FTPS')
    .option('--ftp-tls-required', 'refuse FTP logins before AUTH TLS and clear data connections')
    .option('--ftp-allow-unresumed-tls', "accept TLS data connections that do not resume the control connection's session")
    .option('--ftp-pasv-ports <a-b>', 'take passive data ports from this range')
    .option('--ftp-pasv-address <ip>', 'the IPv4 address PASV replies name (behind NAT)')
    .option('--tracker-http <host:port>', 'run a BitTorrent tracker over HTTP')
    .option('--tracker-udp <host:port>', 'run a BitTorrent tracker over UDP (BEP 15)')
    .option('--compute-project <dir>', 'serve this compute project (tandem compute serve inside the node; made by tandem compute keygen)')
    .option('--compute-http <host:port>', 'with --compute-project: the scheduler\'s address (default 127.0.0.1:8090)')
    .option('--no-dht', 'no DHT node')
    .option('--dht-bootstrap <host:port>', 'DHT node to start from instead of the public routers (repeatable)', repeatable, [])
    .addHelpText(
      'after',
      `
The daemon keeps its state in SQLite (state.db in the state dir): torrents keep their ids, save paths, labels and
progress across restarts and crashes. Talk to it with tandem add/ls/show/pause/resume/rm, Transmission's clients
(transmission-remote http://127.0.0.1:9091/transmission/rpc), or the web UI at the address it prints.

Examples:
  tandem daemon
  tandem daemon --state-dir /var/lib/tandem --download-dir /srv/downloads --port 6881
  tandem daemon --rpc 0.0.0.0:9091 --rpc-auth admin:secret --serve-dir /srv/pub --http 0.0.0.0:8080 --seed
  tandem daemon --config /etc/tandem.json`,
    );
  addCommonFlags(cmd);
  return cmd.action((flags: DaemonFlags) => runCommand(flags, () => runDaemon(flags)));
}

/** The configuration file under the flags: a flag that was given wins. */
function effectiveConfig(flags: DaemonFlags): DaemonConfig {
  const file = flags.config ? readConfig(flags.config) : {};
  const fromFlags: Record<string, unknown> = {
    stateDir: flags.stateDir,
    rpc: flags.rpc,
    rpcAuth: flags.rpcAuth,
    port: flags.port === undefined ? undefined : Number(flags.port),
    listen: flags.listen.length ? flags.listen : undefined,
    downloadDir: flags.downloadDir,
    serveDir: flags.serveDir,
    http: flags.http,
    seed: flags.seed,
    tftp: flags.tftp,
    tftpWrite: flags.tftpWrite,
    ...Object.fromEntries(FTP_CONFIG_KEYS.map((k) => [k, flags[k]])),
    trackerHttp: flags.trackerHttp,
    trackerUdp: flags.trackerUdp,
    dht: flags.dht === false ? false : undefined,
    dhtBootstrap: flags.dhtBootstrap.length ? flags.dhtBootstrap : undefined,
    computeProject: flags.computeProject,
    computeHttp: flags.computeHttp,
  };
  for (const k of Object.keys(fromFlags)) if (fromFlags[k] === undefined) delete fromFlags[k];
  return checkConfig({ ...file, ...fromFlags }, flags.config ? `${flags.config} (with the flags)` : 'the flags');
}

function settingsOf(c: DaemonConfig): Partial<SessionSettings> {
  const s: Partial<SessionSettings> = {};
  if (c.port !== undefined) s.peerPort = c.port;
  if (c.downloadDir !== undefined) s.downloadDir = resolve(c.downloadDir);
  if (c.dht !== undefined) s.dht = c.dht;
  if (c.lsd !== undefined) s.lsd = c.lsd;
  if (c.maxActiveDownloads !== undefined) s.maxActiveDownloads = c.maxActiveDownloads;
  if (c.maxActiveSeeds !== undefined) s.maxActiveSeeds = c.maxActiveSeeds;
  if (c.downloadLimitBytesPerSec !== undefined) s.downloadLimitBytesPerSec = c.downloadLimitBytesPerSec;
  if (c.uploadLimitBytesPerSec !== undefined) s.uploadLimitBytesPerSec = c.uploadLimitBytesPerSec;
  if (c.altSpeedEnabled !== undefined) s.altSpeedEnabled = c.altSpeedEnabled;
  if (c.altSpeedDownBytesPerSec !== undefined) s.altSpeedDownBytesPerSec = c.altSpeedDownBytesPerSec;
  if (c.altSpeedUpBytesPerSec !== undefined) s.altSpeedUpBytesPerSec = c.altSpeedUpBytesPerSec;
  if (c.altSpeedTimeEnabled !== undefined) s.altSpeedTimeEnabled = c.altSpeedTimeEnabled;
  if (c.altSpeedTimeBeginMinutes !== undefined) s.altSpeedTimeBeginMinutes = c.altSpeedTimeBeginMinutes;
  if (c.altSpeedTimeEndMinutes !== undefined) s.altSpeedTimeEndMinutes = c.altSpeedTimeEndMinutes;
  if (c.altSpeedTimeDays !== undefined) s.altSpeedTimeDays = c.altSpeedTimeDays;
  if (c.seedRatioLimit !== undefined) s.seedRatioLimit = c.seedRatioLimit;
  if (c.encryption !== undefined) s.encryption = c.encryption;
  return s;
}

function parseAddress(text: string, what: string): { host: string; port: number } {
  const m = text.match(/^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/);
  if (!m || Number(m[3]) > 65535) throw usage(`${what}: "${text}" is not HOST:PORT`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

/** The rpc-token file: made on first start (mode 0600), read after. */
function loadToken(stateDir: string): string {
  const path = join(stateDir, NODE_DEFAULTS.tokenFile);
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return token;
  }
  const token = newToken();
  writeFileSync(path, token + '\n', { mode: 0o600 });
  return token;
}

function webRoot(): string | undefined {
  const dir = fileURLToPath(new URL('../../../web/', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

async function runDaemon(flags: DaemonFlags): Promise<number> {
  const out = new Output(flags);
  const config = effectiveConfig(flags);
  const rpc = parseAddress(config.rpc ?? `${NODE_DEFAULTS.rpcHost}:${NODE_DEFAULTS.rpcPort}`, '--rpc');
  const basic = config.rpcAuth === undefined ? undefined : parseCredentials(config.rpcAuth);
  if (config.rpcAuth !== undefined && !basic) throw usage('--rpc-auth: expected USER:PASS');
  if (!basic && !isLoopbackHostName(rpc.host)) throw usage(`--rpc ${config.rpc}: a control API off loopback needs --rpc-auth USER:PASS`);
  const stateDir = resolve(config.stateDir ?? defaultStateDir());
  const node = await Node.open({
    stateDir,
    settings: settingsOf(config),
    listenHosts: config.listen,
    dhtBootstrap: config.dhtBootstrap,
    serveDir: config.serveDir === undefined ? undefined : resolve(config.serveDir),
    log: { warn: (t) => out.warn(t), detail: (t) => out.detail(t) },
  });
  let api: ApiServer | undefined;
  try {
    logEvents(node, out);
    await node.start();
    for (const spec of await serverSpecs(config)) await node.servers.start(spec);
    const compute = computeSpecOf(config);
    if (compute) out.line(`compute project ${compute.project} at ${(await node.compute.start(compute)).url}`);
    const token = loadToken(stateDir);
    api = new ApiServer(node, { host: rpc.host, port: rpc.port, auth: { basic, token }, webRoot: webRoot() });
    const addr = await api.start();
    writeFileSync(join(stateDir, 'rpc-address'), `${addr.url}\n`);
    out.line(`tandem ${VERSION} daemon: state in ${stateDir}, ${node.entries.size} torrents, peer port ${node.peerPort}`);
    out.line(`control API: ${addr.url}api/rpc and ${addr.url}transmission/rpc`);
    out.line(`web UI: ${addr.url}${basic ? '' : `#token=${token}`}`);
    out.json({ event: 'listening', rpc: addr.url, peerPort: node.peerPort, stateDir, servers: node.servers.list(), compute: node.compute.running ? node.compute.describe().url : undefined });
  } catch (err) {
    await api?.stop();
    await node.stop();
    if (err instanceof TandemError && err.code === 'SWARM_LISTEN') throw usage(err.message);
    throw err;
  }
  await waitForStop(node, flags, out);
  out.line('stopping…');
  await api.stop();
  await node.stop();
  out.line('stopped');
  return 0;
}

async function serverSpecs(c: DaemonConfig): Promise<ServerSpec[]> {
  const specs: ServerSpec[] = [];
  const root = c.serveDir === undefined ? undefined : resolve(c.serveDir);
  if ((c.http || c.tftp || c.ftp || c.ftps) && !root) throw usage('--http, --tftp, --ftp and --ftps need --serve-dir DIR');
  if (c.http) specs.push({ kind: 'http', address: c.http, root, seed: c.seed });
  if (c.tftp) specs.push({ kind: 'tftp', address: c.tftp, root, tftpWrite: c.tftpWrite });
  const ftp = root === undefined ? undefined : await daemonFtpSpec(c, root);
  if (ftp) specs.push(ftp);
  if (c.trackerHttp) specs.push({ kind: 'tracker-http', address: c.trackerHttp });
  if (c.trackerUdp) specs.push({ kind: 'tracker-udp', address: c.trackerUdp });
  return specs;
}

/** SIGTERM and SIGINT stop the daemon; SIGHUP re-reads the configuration and applies its settings. */
function waitForStop(node: Node, flags: DaemonFlags, out: Output): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', reload);
      resolveStop();
    };
    const reload = (): void => {
      try {
        const settings = settingsOf(effectiveConfig(flags));
        delete settings.peerPort;
        node.setSettings(settings as Record<string, unknown>);
        out.line('configuration reloaded');
      } catch (err) {
        out.warn(`configuration not reloaded: ${(err as Error).message}`);
      }
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', reload);
  });
}

/** One line per event (a JSON line under --json). Changes are logged only when a torrent's state changes. */
function logEvents(node: Node, out: Output): void {
  const line = <K extends keyof NodeEvents>(event: K, text: (d: NodeEvents[K]) => string | undefined): void => {
    node.on(event, (d) => {
      out.json({ event, ...d });
      const t = text(d);
      if (t) out.line(t);
    });
  };
  line('torrent:added', ({ torrent }) => `added ${torrent.id} ${torrent.name} (${torrent.infoHash})`);
  line('torrent:removed', ({ id, infoHash }) => `removed ${id} (${infoHash})`);
  node.on('torrent:changed', ({ id, infoHash, changes }) => {
    if (changes.status === undefined) return;
    out.json({ event: 'torrent:changed', id, infoHash, changes });
    out.line(`torrent ${id}: ${changes.status}${changes.error ? ` (${changes.error})` : ''}`);
  });
  line('server:started', (s) => `${s.kind} server on ${s.address}`);
  line('server:stopped', (s) => `${s.kind} server on ${s.address} stopped`);
  line('warning', () => undefined);
}
