import { Node, NodeError, type AddOptions, type DhtChoice, type EncryptionPolicy } from '../node/index.js';
import { TandemError } from '../util/errors.js';
import type { GetFlags } from './get-flags.js';
import { Output, type CommonFlags } from './output.js';
import { parseCount, parseEncryption, parseListenHosts, parseOnly, parsePeers, parsePort, parseWebSeedMaxRequests } from './torrent-flags.js';
import { TorrentProgress } from './torrent-progress.js';
import { formatBytes, parseBytes } from './units.js';

/**
 * `tandem get` for a magnet link, a .torrent file, or the bytes of a torrent an HTTP server linked to: download,
 * verify, and optionally keep seeding.
 */
export async function getTorrent(source: string | Buffer, flags: GetFlags): Promise<number> {
  const add: AddOptions = {
    ...(typeof source === 'string' ? { source } : { metainfo: source }),
    savePath: flags.output,
    peers: parsePeers(flags.peer),
    onlyFiles: flags.only === undefined ? undefined : parseOnly(flags.only),
    sequential: flags.sequential,
    downloadLimitBytesPerSec: flags.downloadLimit === undefined ? undefined : parseBytes(flags.downloadLimit, '--download-limit'),
    uploadLimitBytesPerSec: flags.uploadLimit === undefined ? undefined : parseBytes(flags.uploadLimit, '--upload-limit'),
    swarm: {
      maxPeers: flags.maxPeers === undefined ? undefined : parseCount(flags.maxPeers, '--max-peers'),
      // BEP 19 web seeds: on unless --no-webseeds, capped per seed by --webseed-max-requests.
      webSeeds: { enabled: flags.webseeds, maxRequestsPerSeed: parseWebSeedMaxRequests(flags.webseedMaxRequests) },
    },
  };
  return runTorrent({
    flags,
    add,
    listen: { port: flags.port === undefined ? 0 : parsePort(flags.port), hosts: parseListenHosts(flags.listen), encryption: parseEncryption(flags.encryption) },
    seed: Boolean(flags.seed),
    dht: { enabled: flags.dht, bootstrap: flags.dhtBootstrap },
    lsd: flags.lsd,
  });
}

export interface TorrentRun {
  flags: CommonFlags;
  /** The one torrent to add to the node, with its options. */
  add: AddOptions;
  /** The peer listener: port (0: any free one), addresses (every interface when absent), MSE policy. */
  listen: { port: number; hosts?: string[]; encryption?: EncryptionPolicy };
  /** Keep seeding after completion until interrupted. */
  seed: boolean;
  /** The DHT (BEP 5): off with --no-dht, else from the --dht-bootstrap nodes or the public routers. */
  dht: DhtChoice;
  /** Local Service Discovery (BEP 14): --lsd (true), --no-lsd (false) or neither (the node decides). */
  lsd?: boolean;
  /** Called once the torrent is ready, with the peer port and the addresses it listens on. */
  onListening?: (port: number, listenHosts: string[]) => void;
  /** `share`: the data is complete from the start, so there is no `done` line (nor a BEP 3 `completed` announce). */
  sharing?: boolean;
}

/**
 * Runs one torrent in an in-process, one-shot node, in the foreground: progress on the terminal (or JSON lines),
 * Ctrl-C stops it cleanly (resume data saved, trackers told `stopped`). Resolves with the exit code: 0 once every
 * wanted byte is verified on disk.
 */
export async function runTorrent(run: TorrentRun): Promise<number> {
  const out = new Output(run.flags);
  const { port, hosts, encryption } = run.listen;
  const node = await Node.open({
    oneShot: true,
    listenHosts: hosts,
    settings: { peerPort: port, ...(encryption ? { encryption } : {}) },
    dht: run.dht,
    lsd: run.lsd,
    log: { warn: (t) => out.warn(t), detail: (t) => out.detail(t) },
  });
  const view = new TorrentProgress(run.flags);
  let interrupted = (): void => undefined;
  const finished = new Promise<number>((resolve, reject) => {
    let done = false;
    node.on('swarm:failed', (f) => {
      // A swarm that could not start is a command that failed (bad input exits 2); one that stopped on an error, exit 1.
      if (f.starting) return reject(new TandemError(f.code, f.message, f.kind));
      out.json({ event: 'error', message: f.message });
      process.stderr.write(`tandem: ${f.message}\n`);
      resolve(1);
    });
    node.on('swarm:done', ({ stats }) => {
      done = true;
      if (run.sharing) return;
      view.stop();
      out.json({ event: 'done', ...stats });
      out.line(`done: ${stats.name ?? ''} (${formatBytes(stats.verifiedBytes)} verified)`);
      if (!run.seed) resolve(0);
      else out.line('seeding; press Ctrl-C to stop');
    });
    interrupted = (): void => resolve(done ? 0 : 1);
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
  });
  // Awaited below once the torrent is added; a start failure may settle it before that.
  finished.catch(() => undefined);
  render(node, out, view);
  // After the `ready` record: a share's magnet line follows it.
  node.on('swarm:ready', () => run.onListening?.(node.peerPort, node.listenHosts));
  try {
    await node.start();
    await addTorrent(node, run.add);
    return await finished;
  } finally {
    view.stop();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await node.stop();
  }
}

/** Adds the run's torrent; a file index it does not have is the command line's `--only` at fault. */
async function addTorrent(node: Node, add: AddOptions): Promise<void> {
  try {
    await node.torrents.add(add);
  } catch (err) {
    if (err instanceof NodeError && err.code === 'NODE_NO_SUCH_FILE') throw new TandemError('CLI_USAGE', `--only: ${err.message}`, 'input', { cause: err });
    throw err;
  }
}

/** The swarm's events as lines and JSON records, as `get` and `share` have always printed them. */
function render(node: Node, out: Output, view: TorrentProgress): void {
  node.on('swarm:metadata', (m) => out.json({ event: 'metadata', name: m.name, pieceCount: m.pieceCount }));
  node.on('swarm:ready', (r) => {
    out.json({ event: 'ready', piecesHave: r.piecesHave, source: r.source });
    out.detail(`${r.piecesHave} pieces already verified on disk (${r.source})`);
  });
  // A failing web seed is one line per seed and kind of failure (the seed backs off; it does not flood).
  node.on('webseed:warning', (w) => {
    out.json({ event: 'webseed:warning', url: w.url, code: w.code, message: w.message });
    out.warn(w.message);
  });
  node.on('peer:connect', (p) => out.detail(`peer ${p.key} connected (${p.client}${p.encrypted ? ', RC4-encrypted' : ''})`));
  node.on('peer:disconnect', (p) => out.detail(`peer ${p.key} gone: ${p.reason}`));
  node.on('peer:banned', (p) => {
    out.json({ event: 'banned', key: p.key, reason: p.reason });
    out.detail(`peer ${p.key} banned: ${p.reason}`);
  });
  node.on('swarm:warning', (w) => out.detail(`warning: ${w.message}`));
  node.on('swarm:progress', ({ stats }) => view.update(stats));
  // BEP 3: a tracker's `failure reason` and `warning message` are meant for the user; each is shown once.
  const shown = new Set<string>();
  const tell = (kind: 'warning' | 'error', url: string, message: string): void => {
    if (shown.has(`${kind} ${url} ${message}`)) return;
    shown.add(`${kind} ${url} ${message}`);
    out.json({ event: `tracker:${kind}`, url, message });
    out.warn(`tracker ${url}: ${message}`);
  };
  node.on('tracker:warning', ({ url, message }) => tell('warning', url, message));
  node.on('tracker:error', ({ url, message }) => tell('error', url, message));
}
