import { open } from 'node:fs/promises';
import { isMagnet, MAX_TORRENT_FILE_BYTES, parseMagnet, parseTorrent, type Metainfo } from '../metainfo/index.js';
import { NODE_DEFAULTS } from './defaults.js';
import { NodeError } from './errors.js';

/** What an add resolves to: a parsed torrent with its bytes, or a magnet link's parts. */
export type AddSource =
  | { kind: 'torrent'; bytes: Buffer; meta: Metainfo }
  | { kind: 'magnet'; uri: string; infoHash: string; name?: string; trackers: string[]; webSeeds: string[]; peers: string[]; selectOnly?: number[] };

const bad = (message: string, cause?: unknown): NodeError => new NodeError('NODE_BAD_SOURCE', message, 'input', { cause });

/** A .torrent's bytes, parsed strictly; v2-only torrents are refused (tandem joins v1 and hybrid swarms). */
export function fromTorrentBytes(bytes: Buffer, what: string): AddSource {
  let meta: Metainfo;
  try {
    meta = parseTorrent(bytes, { requirePieceLayers: false });
  } catch (err) {
    throw bad(`${what}: ${(err as Error).message}`, err);
  }
  if (!meta.infoHashV1) throw bad(`${what} is a v2-only torrent; tandem joins v1 and hybrid swarms`);
  return { kind: 'torrent', bytes, meta };
}

/** Resolves `source`: a magnet link, an http(s) URL of a .torrent (fetched, bounded in size and time), or a path. */
export async function resolveSource(source: string, signal?: AbortSignal): Promise<AddSource> {
  if (isMagnet(source)) {
    let link;
    try {
      link = parseMagnet(source);
    } catch (err) {
      throw bad(`bad magnet link: ${(err as Error).message}`, err);
    }
    if (!link.infoHashV1) throw bad('this magnet link names only a v2 swarm; tandem joins v1 and hybrid swarms');
    return { kind: 'magnet', uri: source, infoHash: link.infoHashV1.toString('hex'), name: link.name, trackers: link.trackers, webSeeds: link.webSeeds, peers: link.peers, selectOnly: link.selectOnly };
  }
  if (/^https?:\/\//i.test(source)) return fromTorrentBytes(await fetchTorrent(source, signal), source);
  return fromTorrentBytes(await readTorrent(source), source);
}

async function readTorrent(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw bad(`cannot open ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, err);
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_TORRENT_FILE_BYTES) throw bad(`${path}: ${size} bytes is too large for a torrent file`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function fetchTorrent(url: string, signal?: AbortSignal): Promise<Buffer> {
  const timeout = AbortSignal.timeout(NODE_DEFAULTS.fetchTimeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { signal: both, redirect: 'follow' });
  } catch (err) {
    throw new NodeError('NODE_BAD_SOURCE', `cannot fetch ${url}: ${(err as Error).message}`, 'runtime', { cause: err });
  }
  if (!res.ok || !res.body) throw new NodeError('NODE_BAD_SOURCE', `cannot fetch ${url}: HTTP ${res.status}`, 'runtime');
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_TORRENT_FILE_BYTES) throw bad(`${url}: ${declared} bytes is too large for a torrent file`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_TORRENT_FILE_BYTES) throw bad(`${url}: more than ${MAX_TORRENT_FILE_BYTES} bytes is too large for a torrent file`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
