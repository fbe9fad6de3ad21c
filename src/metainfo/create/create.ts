import { MetainfoError } from '../errors.js';
import { isPieceLength, parseTorrent } from '../parse.js';
import { checkComponent } from '../paths.js';
import type { Metainfo, TorrentVersion } from '../types.js';
import { buildTorrent } from './build.js';
import { hashPlan } from './hash-pool.js';
import { planTorrent } from './plan.js';
import { scanPath } from './scan.js';

export interface CreateOptions {
  /** v1 by default: aria2 1.36 and Transmission 3, still widely run, cannot read hybrids. */
  version?: TorrentVersion;
  /** A power of two of at least 16 KiB; chosen from the size when absent. */
  pieceLengthBytes?: number;
  trackers?: string[];
  webSeeds?: string[];
  private?: boolean;
  /** The torrent's name; the file or folder's own name by default. */
  name?: string;
  comment?: string;
  createdBy?: string;
  /** Seconds since the epoch; `null` leaves the field out (for reproducible files). */
  creationDate?: number | null;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
}

export interface CreatedTorrent {
  bytes: Buffer;
  metainfo: Metainfo;
}

/** Makes a .torrent for a file or a folder, hashing on every core. */
export async function createTorrent(path: string, options: CreateOptions = {}): Promise<CreatedTorrent> {
  const version = options.version ?? 'v1';
  const pl = options.pieceLengthBytes;
  if (pl !== undefined && !isPieceLength(pl)) {
    throw new MetainfoError('CREATE_INPUT', `piece length ${pl} is not a power of two between 16 KiB and 256 MiB`);
  }
  const scan = await scanPath(path);
  if (options.name !== undefined) {
    scan.name = options.name;
    if (!scan.isDirectory) scan.files[0]!.path = [options.name];
  }
  checkNames(scan.name, scan.files.map((f) => f.path));
  if (scan.files.every((f) => f.length === 0)) throw new MetainfoError('CREATE_INPUT', `${path} holds only empty files`);
  const plan = planTorrent(scan, version, pl);
  const hashes = await hashPlan(
    {
      files: plan.files.filter((f) => !f.pad).map((f) => ({ absolutePath: f.absolutePath!, length: f.length, offset: f.offset })),
      pieceLengthBytes: plan.pieceLengthBytes,
      totalLengthBytes: plan.totalLengthBytes,
      v1: version !== 'v2',
      v2: version !== 'v1',
    },
    { workers: options.workers, signal: options.signal, onProgress: options.onProgress },
  );
  const bytes = buildTorrent(plan, hashes, {
    trackers: options.trackers ?? [],
    webSeeds: options.webSeeds ?? [],
    private: options.private ?? false,
    comment: options.comment,
    createdBy: options.createdBy,
    creationDate: options.creationDate === null ? undefined : (options.creationDate ?? Math.floor(Date.now() / 1000)),
  });
  return { bytes, metainfo: parseTorrent(bytes) };
}

function checkNames(name: string, paths: string[][]): void {
  try {
    checkComponent(Buffer.from(name), 'name');
    for (const p of paths) p.forEach((c) => checkComponent(Buffer.from(c), JSON.stringify(p.join('/'))));
  } catch (err) {
    throw new MetainfoError('CREATE_INPUT', `cannot make a torrent: ${(err as Error).message}`, 'input', { cause: err });
  }
}

