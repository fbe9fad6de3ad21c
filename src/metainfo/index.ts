/**
 * Torrent metainfo: .torrent files (v1, v2 and hybrid; BEP 3, 12, 19, 27, 47, 52) and magnet links (BEP 9, 53).
 *
 * @example
 *   const meta = parseTorrent(await readFile('ubuntu.torrent'));
 *   console.log(meta.name, meta.infoHashV1?.toString('hex'), magnetFromMetainfo(meta));
 *   const { bytes } = await createTorrent('./photos', { version: 'hybrid', trackers: ['udp://127.0.0.1:6969'] });
 */
export { parseTorrent, parseInfo, isPieceLength, MIN_PIECE_LENGTH_BYTES, MAX_PIECE_LENGTH_BYTES, MAX_TORRENT_FILE_BYTES } from './parse.js';
export { parseMagnet, buildMagnet, magnetFromMetainfo, isMagnet, type MagnetLink } from './magnet.js';
export { createTorrent, type CreateOptions, type CreatedTorrent } from './create/create.js';
export { autoPieceLength } from './create/plan.js';
export { HashPool, sharedHashPool } from './create/hash-pool.js';
export { type HashPlan, type TolerantHashes } from './create/hash-core.js';
export { MetainfoError, type MetainfoErrorCode } from './errors.js';
export { type Metainfo, type TorrentFile, type TorrentVersion, type InfoHash, asInfoHash } from './types.js';
export { fileTree, pieceLayerRoot, BLOCK_BYTES } from './merkle.js';
