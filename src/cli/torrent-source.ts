import { open } from 'node:fs/promises';
import { MAX_TORRENT_FILE_BYTES, parseTorrent, type Metainfo } from '../metainfo/index.js';
import { TandemError } from '../util/errors.js';

/** Reads and parses a .torrent file, refusing one larger than any real torrent before reading it. */
export async function readTorrentFile(path: string): Promise<Metainfo> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new TandemError('CLI_NO_FILE', `cannot open ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'input', { cause: err });
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_TORRENT_FILE_BYTES) throw new TandemError('CLI_BAD_TORRENT', `${path}: ${size} bytes is too large for a torrent file`, 'input');
    const bytes = await handle.readFile();
    try {
      return parseTorrent(bytes);
    } catch (err) {
      if (err instanceof TandemError) throw new TandemError(err.code, `${path}: ${err.message}`, err.kind, { cause: err });
      throw err;
    }
  } finally {
    await handle.close();
  }
}
