import { createHash } from 'node:crypto';
import { BencodeError, decode, dictSpan, isBytes, isDict, isList, type BDict, type BValue } from '../bencode/index.js';
import { invalid, MetainfoError } from './errors.js';
import { field, optionalInt, optionalText, requireBytes, requireCount, requireDict } from './fields.js';
import { checkComponent } from './paths.js';
import { parseV1, type V1Info } from './parse-v1.js';
import { checkPieceLayers, parseFileTree, type V2File } from './parse-v2.js';
import { asInfoHash, type Metainfo, type TorrentFile, type TorrentVersion } from './types.js';

export const MIN_PIECE_LENGTH_BYTES = 16 * 1024;
export const MAX_PIECE_LENGTH_BYTES = 256 * 1024 * 1024;

/** Whether a piece length is one every client takes: a power of two from 16 KiB (a block) to 256 MiB. */
export function isPieceLength(bytes: number): boolean {
  return Number.isInteger(bytes) && bytes >= MIN_PIECE_LENGTH_BYTES && bytes <= MAX_PIECE_LENGTH_BYTES && (bytes & (bytes - 1)) === 0;
}

/** Larger than any real .torrent; a file this size is refused before it is decoded. */
export const MAX_TORRENT_FILE_BYTES = 64 * 1024 * 1024;

export interface ParseOptions {
  /** BEP 52 piece layers must be present for every file over one piece (true for .torrent files). */
  requirePieceLayers?: boolean;
}

/** Parses and validates a .torrent file (v1, v2 or hybrid). Throws `MetainfoError` with one line naming the fault. */
export function parseTorrent(bytes: Buffer, options: ParseOptions = {}): Metainfo {
  if (bytes.length > MAX_TORRENT_FILE_BYTES) throw invalid(`torrent file is ${bytes.length} bytes, over ${MAX_TORRENT_FILE_BYTES}`);
  const root = decodeTorrent(bytes);
  const info = requireDict(root, 'info');
  const span = dictSpan(info)!;
  const meta = parseInfo(bytes.subarray(span.start, span.end), info, field(root, 'piece layers'), options.requirePieceLayers ?? true);
  meta.announce = parseAnnounce(root);
  meta.urlList = parseUrlList(field(root, 'url-list'));
  meta.comment = optionalText(root, 'comment');
  meta.createdBy = optionalText(root, 'created by');
  meta.creationDate = optionalInt(root, 'creation date');
  return meta;
}

function decodeTorrent(bytes: Buffer): BDict {
  let root: BValue;
  try {
    root = decode(bytes);
  } catch (err) {
    if (err instanceof BencodeError) throw new MetainfoError('METAINFO_INVALID', `not a torrent file: ${err.message}`, 'input', { cause: err });
    throw err;
  }
  if (!isDict(root)) throw invalid('not a torrent file: the top level is not a dictionary');
  return root;
}

/**
 * Parses an info dictionary on its own: from a .torrent, or as metadata fetched from peers (BEP 9), where
 * `infoBytes` is what was received and piece layers are not available.
 */
export function parseInfo(infoBytes: Buffer, info: BDict, layers: BValue | undefined, requireLayers: boolean): Metainfo {
  const name = checkComponent(requireBytes(info, 'name'), 'name');
  const pieceLengthBytes = requireCount(info, 'piece length');
  if (!isPieceLength(pieceLengthBytes)) {
    throw invalid(`piece length is ${pieceLengthBytes}, not a power of two between 16 KiB and 256 MiB`);
  }
  const metaVersion = field(info, 'meta version');
  const hasV2 = metaVersion !== undefined;
  if (hasV2 && metaVersion !== 2) throw invalid(`meta version is ${String(metaVersion)}, not 2`);
  const hasV1 = field(info, 'pieces') !== undefined;
  if (!hasV1 && !hasV2) throw invalid('pieces is missing');

  const v1 = hasV1 ? parseV1(info, name, pieceLengthBytes) : undefined;
  let v2: V2File[] | undefined;
  let pieceLayers = new Map<string, Buffer>();
  if (hasV2) {
    v2 = parseFileTree(requireDict(info, 'file tree'));
    if (layers !== undefined && !isDict(layers)) throw invalid('piece layers is not a dictionary');
    pieceLayers = checkPieceLayers(v2, layers, pieceLengthBytes, requireLayers);
  }
  if (v1 && v2) checkHybridAgrees(v1, v2, name);

  const version: TorrentVersion = v1 && v2 ? 'hybrid' : v1 ? 'v1' : 'v2';
  const files = v1 ? withRoots(v1.files, v2) : alignedFiles(v2!, pieceLengthBytes);
  const totalLengthBytes = v1 ? v1.totalLengthBytes : files.reduce((s, f) => Math.max(s, f.offset + f.length), 0);
  const contentLengthBytes = files.filter((f) => !f.pad).reduce((s, f) => s + f.length, 0);
  if (contentLengthBytes === 0) throw invalid('torrent holds no data: every file is empty');
  return {
    version,
    name,
    pieceLengthBytes,
    files,
    singleFile: v1 ? v1.singleFile : false,
    totalLengthBytes,
    contentLengthBytes,
    pieceCount: Math.ceil(totalLengthBytes / pieceLengthBytes),
    pieces: v1?.pieces,
    infoHashV1: hasV1 ? asInfoHash(createHash('sha1').update(infoBytes).digest()) : undefined,
    infoHashV2: hasV2 ? asInfoHash(createHash('sha256').update(infoBytes).digest()) : undefined,
    infoBytes,
    announce: [],
    urlList: [],
    private: field(info, 'private') === 1,
    pieceLayers,
  };
}

/** BEP 52: a hybrid's v1 file list, pad files aside, must name the same files with the same lengths. */
function checkHybridAgrees(v1: V1Info, v2: V2File[], name: string): void {
  const real = v1.files.filter((f) => !f.pad);
  const v1Paths = real.map((f) => (v1.singleFile ? [name] : f.path).join('/'));
  if (real.length !== v2.length) throw invalid(`hybrid torrent lists ${real.length} v1 files but ${v2.length} v2 files`);
  v2.forEach((f, i) => {
    if (v1Paths[i] !== f.path.join('/') || real[i]!.length !== f.length) {
      throw invalid(`hybrid torrent disagrees on file ${i}: ${v1Paths[i]} (v1) vs ${f.path.join('/')} (v2)`);
    }
  });
}

function withRoots(files: TorrentFile[], v2: V2File[] | undefined): TorrentFile[] {
  if (!v2) return files;
  let j = 0;
  return files.map((f) => (f.pad ? f : { ...f, piecesRoot: v2[j++]!.piecesRoot }));
}

/** A v2-only torrent has no byte stream of its own; tandem lays its files out piece-aligned, as a hybrid would. */
function alignedFiles(v2: V2File[], pieceLengthBytes: number): TorrentFile[] {
  let offset = 0;
  return v2.map((f) => {
    const entry: TorrentFile = { path: f.path, length: f.length, offset, pad: false, piecesRoot: f.piecesRoot };
    offset += Math.ceil(f.length / pieceLengthBytes) * pieceLengthBytes;
    return entry;
  });
}

const MAX_TRACKERS = 1000;

function parseAnnounce(root: BDict): string[][] {
  const list = field(root, 'announce-list');
  if (isList(list) && list.length > 0) {
    const tiers = list
      .filter(isList)
      .map((tier) => tier.filter(isBytes).map((u) => u.toString('utf8')).filter((u) => u.length > 0))
      .filter((tier) => tier.length > 0);
    if (tiers.flat().length > MAX_TRACKERS) throw invalid(`announce-list names more than ${MAX_TRACKERS} trackers`);
    if (tiers.length > 0) return tiers;
  }
  const single = optionalText(root, 'announce');
  return single ? [[single]] : [];
}

function parseUrlList(v: BValue | undefined): string[] {
  if (isBytes(v)) return v.length > 0 ? [v.toString('utf8')] : [];
  if (!isList(v)) return [];
  return v.filter(isBytes).map((u) => u.toString('utf8')).filter((u) => u.length > 0).slice(0, MAX_TRACKERS);
}
