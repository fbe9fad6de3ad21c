/** An info hash: 20 bytes (v1, SHA-1 of the info dictionary) or 32 bytes (v2, SHA-256). */
export type InfoHash = Buffer & { readonly __brand: 'InfoHash' };

export function asInfoHash(bytes: Buffer): InfoHash {
  return bytes as InfoHash;
}

export type TorrentVersion = 'v1' | 'v2' | 'hybrid';

/** One file of a torrent, in the order the pieces run through it. */
export interface TorrentFile {
  /** Path components below the torrent's name; for a single-file torrent, `[name]`. */
  path: string[];
  length: number;
  /** Where the file starts in the torrent's byte stream (the v1 stream, pad files included). */
  offset: number;
  /** A BEP 47 pad file: zeros that keep the next file aligned to a piece; never written to disk. */
  pad: boolean;
  /** BEP 52: the root of the file's merkle tree of 16 KiB blocks (v2 and hybrid, files longer than 0). */
  piecesRoot?: Buffer;
}

export interface Metainfo {
  version: TorrentVersion;
  name: string;
  pieceLengthBytes: number;
  files: TorrentFile[];
  /** True when the v1 info dictionary uses `length` rather than `files` (a single file at the top). */
  singleFile: boolean;
  /** Bytes in the torrent's stream, pad files included. */
  totalLengthBytes: number;
  /** Bytes of real content, pad files left out. */
  contentLengthBytes: number;
  pieceCount: number;
  /** v1 piece hashes, 20 bytes each (v1 and hybrid). */
  pieces?: Buffer;
  infoHashV1?: InfoHash;
  infoHashV2?: InfoHash;
  /** The info dictionary's bytes exactly as they stood in the file. */
  infoBytes: Buffer;
  /** BEP 12 tiers; a lone `announce` is one tier of one tracker. */
  announce: string[][];
  /** BEP 19 web seeds. */
  urlList: string[];
  /** BEP 27. */
  private: boolean;
  comment?: string;
  createdBy?: string;
  creationDate?: number;
  /** BEP 52 piece layers, keyed by the hex of the file's pieces root. */
  pieceLayers: Map<string, Buffer>;
}
