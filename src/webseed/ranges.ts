/**
 * BEP 19 geometry, pure: which HTTP requests fetch a piece (or a block of it) from a web seed, and where each
 * answer lands in the piece buffer. No sockets, no timers.
 */
import type { Metainfo } from '../metainfo/index.js';
import { PieceLayout } from '../storage/index.js';
import { WebSeedError } from './errors.js';

// One layout per torrent: planning a piece is a binary search, not a rebuild of the file offsets.
const layouts = new WeakMap<Metainfo, PieceLayout>();

function layoutOf(meta: Metainfo): PieceLayout {
  let layout = layouts.get(meta);
  if (!layout) layouts.set(meta, (layout = PieceLayout.of(meta)));
  return layout;
}

/** One ranged GET: bytes `[start, start + length)` of one file, copied to `bufferOffset` of the piece buffer. */
export interface RangeRequest {
  fileIndex: number;
  url: string;
  /** First byte wanted, inside the file. */
  start: number;
  length: number;
  /** The file's whole length: Content-Range must name it, and a 200 is acceptable only when it is all asked for. */
  fileLength: number;
  bufferOffset: number;
}

export interface PiecePlan {
  pieceIndex: number;
  /** Bytes of the piece (or block) asked for: the buffer to allocate. Pad stretches stay zero. */
  length: number;
  requests: RangeRequest[];
}

/** Checks a url-list entry: absolute, http or https, no credentials smuggled in a fragment. */
export function parseSeedUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebSeedError('WEBSEED_URL', `web seed "${text}" is not an absolute URL`, 'input');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebSeedError('WEBSEED_URL', `web seed "${text}" is not http:// or https://`, 'input');
  }
  url.hash = '';
  return url;
}

/**
 * The URL of file `fileIndex` on the seed at `base`.
 * BEP 19: for a single-file torrent the url-list entry is the file itself, unless it ends in "/", then the
 * torrent's name is appended; for a multi-file torrent the entry is a folder and `name/path/to/file` is
 * appended, each component percent-encoded.
 */
export function fileUrl(base: string, meta: Metainfo, fileIndex: number): string {
  const url = parseSeedUrl(base).href;
  if (meta.singleFile) return url.endsWith('/') ? url + encodeSegment(meta.name) : url;
  const file = meta.files[fileIndex];
  if (!file) throw new WebSeedError('WEBSEED_RANGE', `file ${fileIndex} is outside the torrent`);
  const folder = url.endsWith('/') ? url : url + '/';
  return folder + [meta.name, ...file.path].map(encodeSegment).join('/');
}

/** Percent-encodes one path component: everything but RFC 3986 unreserved characters (so "/" and "?" too). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Bytes in piece `index` (the last one may be short). */
export function pieceSize(meta: Metainfo, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= meta.pieceCount) {
    throw new WebSeedError('WEBSEED_RANGE', `piece ${index} is outside the torrent (0..${meta.pieceCount - 1})`);
  }
  return layoutOf(meta).pieceSize(index);
}

/**
 * The GETs that fetch `length` bytes at `begin` of piece `pieceIndex` from the seed at `base`, in stream order.
 * Pad files (BEP 47) are zeros and never requested; empty files have no bytes and are skipped.
 */
export function planPiece(base: string, meta: Metainfo, pieceIndex: number, begin = 0, length?: number): PiecePlan {
  const size = pieceSize(meta, pieceIndex);
  const want = length ?? size - begin;
  if (!Number.isInteger(begin) || !Number.isInteger(want) || begin < 0 || want < 0 || begin + want > size) {
    throw new WebSeedError('WEBSEED_RANGE', `bytes ${begin}+${want} are outside piece ${pieceIndex} (${size} bytes)`);
  }
  // The storage layout splits the range by file; pad files (zeros) and empty files need no request.
  const requests: RangeRequest[] = layoutOf(meta)
    .spans(pieceIndex, begin, want)
    .filter((span) => !span.pad && span.length > 0)
    .map((span) => ({
      fileIndex: span.fileIndex,
      url: fileUrl(base, meta, span.fileIndex),
      start: span.fileOffset,
      length: span.length,
      fileLength: meta.files[span.fileIndex]!.length,
      bufferOffset: span.bufferOffset,
    }));
  return { pieceIndex, length: want, requests };
}

/** The `Range` header value for one request (RFC 9110 §14.1.2: last-byte-pos is inclusive). */
export function rangeHeader(r: Pick<RangeRequest, 'start' | 'length'>): string {
  return `bytes=${r.start}-${r.start + r.length - 1}`;
}

/** True when the request asks for the whole file, so a plain 200 answer is exactly right. */
export function isWholeFile(r: Pick<RangeRequest, 'start' | 'length' | 'fileLength'>): boolean {
  return r.start === 0 && r.length === r.fileLength;
}
