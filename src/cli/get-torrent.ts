import { isIP } from 'node:net';
import cliProgress from 'cli-progress';
import { isMagnet, parseMagnet, type Metainfo } from '../metainfo/index.js';
import { ENCRYPTION_POLICIES, isEncryptionPolicy, type EncryptionPolicy } from '../mse/index.js';
import { DEFAULT_CONFIG, parsePeerAddress, Torrent, type TorrentStats, type WebSeedsInit } from '../swarm/index.js';
import { TrackerClient } from '../tracker/index.js';
import { TandemError } from '../util/errors.js';
import type { PeerAddress } from '../wire/index.js';
import type { GetFlags } from './commands/get.js';
import { Output, type CommonFlags } from './output.js';
import { readTorrentFile } from './torrent-source.js';
import { dhtOptionsFor, TorrentDht, type DhtChoice } from '../node/index.js';
import { lsdEnabled, TorrentLsd } from '../node/index.js';
import { formatBytes, parseBytes } from './units.js';

/**
 * `tandem get` for a magnet link, a .torrent file, or a torrent already parsed (one an HTTP server linked to):
 * download, verify, and optionally keep seeding.
 */
export async function getTorrent(source: string | Metainfo, flags: GetFlags): Promise<number> {
  const peers = flags.peer.map(parsePeerAddress);
  let metainfo: Metainfo | undefined;
  let infoHash: Buffer | undefined;
  let trackers: string[][] = [];
  let webSeedUrls: string[] = [];
  let only = flags.only === undefined ? undefined : parseOnly(flags.only);
  if (typeof source === 'string' && isMagnet(source)) {
    const link = parseMagnet(source);
    if (!link.infoHashV1) throw new TandemError('CLI_V2_ONLY', 'this magnet link names only a v2 swarm; tandem joins v1 and hybrid swarms (v2-only swarms come later)', 'input');
    infoHash = link.infoHashV1;
    peers.push(...link.peers.map(parsePeerAddress));
    trackers = link.trackers.map((t) => [t]);
    // BEP 9 `ws=`: web seeds, used once the metadata is known (fetched metadata has no url-list of its own).
    webSeedUrls = link.webSeeds;
    only ??= link.selectOnly;
  } else {
    metainfo = typeof source === 'string' ? await readTorrentFile(source) : source;
    if (!metainfo.infoHashV1) throw new TandemError('CLI_V2_ONLY', `${typeof source === 'string' ? source : metainfo.name} is a v2-only torrent; tandem joins v1 and hybrid swarms (v2-only swarms come later)`, 'input');
    trackers = metainfo.announce;
  }
  const torrent = new Torrent({
    metainfo,
    infoHash,
    dir: flags.output,
    webSeeds: webSeedOptions(flags, webSeedUrls),
    peers,
    onlyFiles: only,
    sequential: flags.sequential,
    downloadLimitBytesPerSec: flags.downloadLimit === undefined ? undefined : parseBytes(flags.downloadLimit, '--download-limit'),
    uploadLimitBytesPerSec: flags.uploadLimit === undefined ? undefined : parseBytes(flags.uploadLimit, '--upload-limit'),
    listenPort: flags.port === undefined ? 0 : parsePort(flags.port),
    listenHosts: parseListenHosts(flags.listen),
    config: { ...(flags.maxPeers === undefined ? {} : { maxPeers: parseCount(flags.maxPeers, '--max-peers') }), encryption: parseEncryption(flags.encryption) },
  });
  return runTorrent(torrent, { flags, trackers, seed: Boolean(flags.seed), dht: { enabled: flags.dht, bootstrap: flags.dhtBootstrap }, lsd: flags.lsd });
}

export interface RunOptions {
  flags: CommonFlags;
  trackers: string[][];
  /** Keep seeding after completion until interrupted. */
  seed: boolean;
  /** The DHT (BEP 5): off with --no-dht, else from the --dht-bootstrap nodes or the public routers (torrent-dht.ts). */
  dht?: DhtChoice;
  /** Local Service Discovery (BEP 14): --lsd (true), --no-lsd (false) or neither (torrent-lsd.ts decides). */
  lsd?: boolean;
  /** Printed (and in JSON) once the torrent listens. */
  onListening?: (port: number) => void;
  /** `share`: the data is complete from the start, so there is no `done` line and no BEP 3 `completed` announce. */
  sharing?: boolean;
}

/**
 * Runs a torrent in the foreground: progress on the terminal (or JSON lines), trackers announced, Ctrl-C stops it
 * cleanly (resume data saved). Resolves with the exit code: 0 once every wanted byte is verified on disk.
 */
export async function runTorrent(torrent: Torrent, options: RunOptions): Promise<number> {
  const { flags } = options;
  const out = new Output(flags);
  const view = new TorrentProgress(flags);
  let tracker: TrackerClient | undefined;
  let dht: TorrentDht | undefined;
  let lsd: TorrentLsd | undefined;
  let interrupted = (): void => undefined;
  const finished = new Promise<number>((resolve) => {
    torrent.on('error', ({ error }) => {
      out.json({ event: 'error', message: error.message });
      process.stderr.write(`tandem: ${error.message}\n`);
      resolve(1);
    });
    torrent.on('done', (stats) => {
      if (options.sharing) return;
      view.stop();
      out.json({ event: 'done', ...stats });
      out.line(`done: ${stats.name ?? ''} (${formatBytes(stats.verifiedBytes)} verified)`);
      tracker?.completed();
      if (!options.seed) resolve(0);
      else out.line('seeding; press Ctrl-C to stop');
    });
    interrupted = (): void => resolve(torrent.isDone ? 0 : 1);
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
  });
  const release = async (): Promise<void> => {
    view.stop();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await tracker?.stop();
    await lsd?.stop();
    await dht?.stop();
    await torrent.stop();
  };
  torrent.on('metadata', (m) => out.json({ event: 'metadata', ...m }));
  torrent.on('ready', (r) => {
    out.json({ event: 'ready', ...r });
    out.detail(`${r.piecesHave} pieces already verified on disk (${r.source})`);
  });
  // A failing web seed is one line per seed and kind of failure (the seed backs off; it does not flood).
  torrent.webSeeds.on('warning', (w) => {
    out.json({ event: 'webseed:warning', ...w });
    out.warn(w.message);
  });
  torrent.on('peer:connect', (p) => out.detail(`peer ${p.key} connected (${p.client}${p.encrypted ? ', RC4-encrypted' : ''})`));
  torrent.on('peer:disconnect', (p) => out.detail(`peer ${p.key} gone: ${p.reason}`));
  torrent.on('peer:banned', (p) => {
    out.json({ event: 'banned', ...p });
    out.detail(`peer ${p.key} banned: ${p.reason}`);
  });
  torrent.on('warning', (w) => out.detail(`warning: ${w.message}`));
  torrent.on('stats', (s) => view.update(s));
  try {
    const dhtOptions = options.dht && dhtOptionsFor(options.dht);
    // Started first, so that the torrent's first handshakes already carry the DHT bit (BEP 5).
    if (dhtOptions) dht = await TorrentDht.start(torrent, dhtOptions, out);
    await torrent.start();
  } catch (err) {
    await release();
    throw err;
  }
  options.onListening?.(torrent.listenPort);
  if (options.trackers.length > 0) {
    tracker = new TrackerClient({ infoHash: torrent.infoHash, peerId: torrent.peerId, port: torrent.listenPort, tiers: options.trackers }, {
      stats: () => {
        const s = torrent.stats();
        return { uploaded: s.uploadedBytes, downloaded: s.downloadedBytes, left: s.wantedBytes - s.verifiedBytes };
      },
    });
    tracker.on('peers', ({ peers }) => torrent.addPeers(peers as PeerAddress[]));
    // BEP 3: a tracker's `failure reason` and `warning message` are meant for the user; each is shown once.
    const shown = new Set<string>();
    const tell = (kind: 'warning' | 'error', url: string, message: string): void => {
      if (shown.has(`${kind} ${url} ${message}`)) return;
      shown.add(`${kind} ${url} ${message}`);
      out.json({ event: `tracker:${kind}`, url, message });
      out.warn(`tracker ${url}: ${message}`);
    };
    tracker.on('warning', ({ url, message }) => tell('warning', url, message));
    tracker.on('error', ({ url, error }) => tell('error', url, error.message));
    tracker.start();
  }
  dht?.attach();
  if (lsdEnabled(options.lsd)) {
    lsd = new TorrentLsd(torrent, out);
    await lsd.start();
  }
  try {
    return await finished;
  } finally {
    await release();
  }
}

/** A live progress line: percent, down and up rates, peers, ETA; JSON once a second; plain lines when not a TTY. */
class TorrentProgress {
  private bar?: cliProgress.SingleBar;
  private lastPlainMs = 0;

  constructor(
    private readonly flags: CommonFlags,
    private readonly tty = Boolean(process.stdout.isTTY),
  ) {}

  update(s: TorrentStats): void {
    if (this.flags.quiet) return;
    const row = {
      percent: s.wantedBytes === 0 ? 0 : Math.floor((s.verifiedBytes / s.wantedBytes) * 1000) / 10,
      down: `${formatBytes(Math.round(s.downloadRateBytesPerSec))}/s`,
      up: `${formatBytes(Math.round(s.uploadRateBytesPerSec))}/s`,
      peers: s.peers,
      eta: s.etaSeconds === undefined ? '?' : `${s.etaSeconds}s`,
      web: s.webSeedBytes > 0 ? ` | ${formatBytes(s.webSeedBytes)} from web seeds` : '',
    };
    if (this.flags.json) {
      process.stdout.write(JSON.stringify({ event: 'progress', ...s }) + '\n');
      return;
    }
    if (this.tty) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          { format: '{state} [{bar}] {percent}% | down {down} | up {up} | {peers} peers{web} | ETA {eta}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(Math.max(1, s.wantedBytes), 0, { ...row, state: s.state });
      }
      this.bar.setTotal(Math.max(1, s.wantedBytes));
      this.bar.update(s.verifiedBytes, { ...row, state: s.state });
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainMs >= 2000) {
      this.lastPlainMs = now;
      process.stdout.write(`${s.state}: ${row.percent}% | down ${row.down} | up ${row.up} | ${row.peers} peers${row.web} | ETA ${row.eta}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

function parseOnly(text: string): number[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => !/^\d{1,9}$/.test(s))) throw new TandemError('CLI_USAGE', `--only: "${text}" is not a list of file indexes (e.g. 0,3)`, 'input');
  return items.map(Number);
}

/** BEP 19 web seeds for `get`: on unless --no-webseeds, capped per seed by --webseed-max-requests. */
function webSeedOptions(flags: GetFlags, urls: string[]): WebSeedsInit {
  const max = flags.webseedMaxRequests;
  const n = Number(max);
  if (max !== undefined && (!/^\d{1,3}$/.test(max) || n < 1 || n > 64)) {
    throw new TandemError('CLI_USAGE', `--webseed-max-requests: "${max}" is not a count from 1 to 64`, 'input');
  }
  return { enabled: flags.webseeds, urls, maxRequestsPerSeed: max === undefined ? undefined : n };
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new TandemError('CLI_USAGE', `--port: "${text}" is not a port (0-65535)`, 'input');
  return n;
}

function parseCount(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new TandemError('CLI_USAGE', `${option}: "${text}" is not a count from 1 to 10000`, 'input');
  return n;
}

/** `--listen HOST` values: IP literals (IPv6 with or without brackets); none means every interface. */
function parseListenHosts(values: string[]): string[] | undefined {
  if (values.length === 0) return undefined;
  return values.map((v) => {
    const host = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
    if (!isIP(host)) throw new TandemError('CLI_USAGE', `--listen: "${v}" is not an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0)`, 'input');
    return host;
  });
}

/** `--encryption allow|prefer|require` (MSE); the default lives in the swarm's DEFAULT_CONFIG. */
function parseEncryption(text: string | undefined): EncryptionPolicy {
  if (text === undefined) return DEFAULT_CONFIG.encryption;
  if (!isEncryptionPolicy(text)) throw new TandemError('CLI_USAGE', `--encryption: "${text}" is not one of ${ENCRYPTION_POLICIES.join(', ')}`, 'input');
  return text;
}

export { parsePort, parseListenHosts, parseEncryption };
