import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadHttp, fetchSmall, fileNameFor, findTorrentLink, probeHttp } from '../http/index.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import type { GetFlags } from './get-flags.js';
import { getTorrent } from './get-torrent.js';
import { Output, untilInterrupted } from './output.js';
import { ByteProgress } from './progress.js';
import { formatBytes } from './units.js';

/** A torrent named by a `Link` header is refused beyond this: one file's v1 torrent is a few hundred KiB at most. */
export const MAX_LINKED_TORRENT_BYTES = 4 * 1024 * 1024;
/** The HEAD that looks for a torrent gives up after this long, and the plain download goes ahead. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * `tandem get http(s)://...`: when the file's response names a torrent of it (`Link: <...>; rel="describedby";
 * type="application/x-bittorrent"`, as `tandem serve --seed` sends), the download joins that swarm, with the server
 * as web seed and tracker; otherwise (or with --no-swarm) it is a plain HTTP download into -o DIR, resuming a
 * `.part` file left by an interrupted run. The saved file has the same name either way.
 */
export async function getHttp(source: string, flags: GetFlags): Promise<number> {
  const out = new Output(flags);
  await mkdir(flags.output, { recursive: true });
  if (flags.swarm !== false) {
    const offer = await findSwarm(source, flags, out);
    if (offer) return getThroughSwarm(offer, flags, out);
  }
  return getPlain(source, flags, out);
}

interface SwarmOffer {
  torrentUrl: string;
  /** The torrent's bytes, as the node adds them, and parsed, to check it against the file. */
  bytes: Buffer;
  metainfo: Metainfo;
}

/** HEAD of the URL and its linked torrent, checked against the file; undefined means a plain download instead. */
async function findSwarm(source: string, flags: GetFlags, out: Output): Promise<SwarmOffer | undefined> {
  let name: string;
  try {
    name = fileNameFor(new URL(source));
    // A .part left by an interrupted plain download is resumed plainly, not thrown away.
    if (await stat(join(flags.output, name + '.part')).then(() => true, () => false)) return undefined;
  } catch {
    return undefined; // a bad URL is reported by the plain path, with its exit code
  }
  try {
    const probe = await probeHttp(source, { idleTimeoutMs: PROBE_TIMEOUT_MS });
    const link = probe.status === 200 ? findTorrentLink(probe.headers.link, probe.url) : undefined;
    if (!link) return undefined;
    const { body } = await fetchSmall(link, MAX_LINKED_TORRENT_BYTES, { idleTimeoutMs: PROBE_TIMEOUT_MS });
    const metainfo = parseTorrent(body);
    const length = Number(probe.headers['content-length'] ?? NaN);
    const problem = mismatch(metainfo, name, length);
    if (problem) {
      out.warn(`${link.href} does not describe ${source} (${problem}); downloading over HTTP only`);
      return undefined;
    }
    return { torrentUrl: link.href, bytes: body, metainfo };
  } catch (err) {
    out.warn(`cannot use the torrent the server offers (${(err as Error).message}); downloading over HTTP only`);
    return undefined;
  }
}

/** Why a linked torrent is not this file's: it must be one v1 file of the same name and length. */
function mismatch(meta: Metainfo, name: string, length: number): string | undefined {
  if (!meta.infoHashV1) return 'it has no v1 swarm';
  if (!meta.singleFile || meta.files.length !== 1) return 'it holds more than one file';
  if (meta.name !== name) return `its file is named "${meta.name}", not "${name}"`;
  if (meta.files[0]!.length !== length) return `its file has ${meta.files[0]!.length} bytes, the URL ${Number.isNaN(length) ? 'no length' : length}`;
  return undefined;
}

/** Runs the swarm download with the torrent runner `get <file.torrent>` uses (its trackers and web seeds come along). */
async function getThroughSwarm(offer: SwarmOffer, flags: GetFlags, out: Output): Promise<number> {
  out.line(`joining the swarm of ${offer.metainfo.name} (${offer.torrentUrl})`);
  out.json({ event: 'swarm', torrentUrl: offer.torrentUrl, infoHash: offer.metainfo.infoHashV1!.toString('hex'), name: offer.metainfo.name });
  return getTorrent(offer.bytes, flags);
}

async function getPlain(source: string, flags: GetFlags, out: Output): Promise<number> {
  const progress = new ByteProgress('http', flags);
  try {
    const started = Date.now();
    // As a torrent download says `ready` once it can start: here, the request is about to leave (the lab times each
    // client's start-up from it).
    out.json({ event: 'ready', source: 'http' });
    const r = await untilInterrupted((signal) => downloadHttp({ url: source, outDir: flags.output, signal, onProgress: (d, t) => progress.update(d, t < 0 ? d : t) }));
    progress.stop();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    out.line(`saved ${r.path} (${formatBytes(r.bytes)}${r.resumedFromBytes > 0 ? `, resumed from ${formatBytes(r.resumedFromBytes)}` : ''}, ${formatBytes(Math.round((r.bytes - r.resumedFromBytes) / seconds))}/s)`);
    out.json({ event: 'done', path: r.path, bytes: r.bytes, resumedFromBytes: r.resumedFromBytes, seconds });
    return 0;
  } finally {
    progress.stop();
  }
}
