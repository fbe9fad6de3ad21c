/**
 * Torrents made for served files, kept on disk between runs (outside the served folder) and keyed by what the
 * file is: its real path, size, modification time and inode. A changed file has a new key, so it gets a new
 * torrent; the old entry is simply never asked for again.
 *
 * Only the info dictionary costs hashing. The announce URL and the web seed live outside it (BEP 3, BEP 19), so
 * a cached torrent is re-stamped with the current URLs when the server's address changed, without re-hashing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decode, encode, isDict, type BDict } from '../bencode/index.js';
import { MAX_TORRENT_FILE_BYTES, parseTorrent, type Metainfo } from '../metainfo/index.js';
import type { FileIdentity } from '../http/index.js';

export interface CachedTorrent {
  bytes: Buffer;
  metainfo: Metainfo;
}

/** The cache key of a file as it is now: hex SHA-1 of its real path, size, mtime and inode. */
export function seedCacheKey(realPath: string, identity: FileIdentity): string {
  return createHash('sha1').update(`${realPath}\0${identity.size}\0${identity.mtimeMs}\0${identity.ino}`).digest('hex');
}

/** True when a torrent is exactly the one-file v1 torrent of a file of this name and size. */
export function describesFile(meta: Metainfo, name: string, size: number): boolean {
  return meta.singleFile && meta.infoHashV1 !== undefined && meta.name === name && meta.files.length === 1 && meta.files[0]!.length === size;
}

/**
 * Sets a torrent's tracker and web seed (BEP 19 `url-list`) to the given ones, leaving the info dictionary's bytes
 * and so its info hash untouched. Returns the input when it already says so.
 */
export function restamp(torrent: CachedTorrent, announce: string, webSeed: string): CachedTorrent {
  const m = torrent.metainfo;
  if (m.announce.length === 1 && m.announce[0]!.length === 1 && m.announce[0]![0] === announce && m.urlList.length === 1 && m.urlList[0] === webSeed) return torrent;
  const root = decode(torrent.bytes);
  if (!isDict(root)) throw new Error('a torrent is a dictionary');
  const dict = root as BDict;
  dict.set('announce', Buffer.from(announce));
  dict.delete('announce-list');
  dict.set('url-list', [Buffer.from(webSeed)]);
  const bytes = encode(dict);
  const metainfo = parseTorrent(bytes);
  if (!metainfo.infoHashV1?.equals(m.infoHashV1!)) throw new Error('re-stamping changed the info hash');
  return { bytes, metainfo };
}

export class TorrentDiskCache {
  constructor(readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, `${key}.torrent`);
  }

  /** The cached torrent of `key`, or undefined when there is none or it does not parse (it is then made again). */
  async load(key: string): Promise<CachedTorrent | undefined> {
    let handle;
    try {
      handle = await open(this.path(key), 'r');
    } catch {
      return undefined;
    }
    try {
      const { size } = await handle.stat();
      if (size > MAX_TORRENT_FILE_BYTES) return undefined;
      const bytes = await handle.readFile();
      return { bytes, metainfo: parseTorrent(bytes) };
    } catch {
      return undefined;
    } finally {
      await handle.close();
    }
  }

  /** Writes through a temporary file renamed into place, so a crash never leaves half a torrent under a key. */
  async save(key: string, bytes: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${key}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, this.path(key));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}
