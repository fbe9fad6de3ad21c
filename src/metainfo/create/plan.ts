import type { TorrentVersion } from '../types.js';
import type { ScanResult } from './scan.js';

/** A file placed in the torrent's byte stream; pads are BEP 47 pad files. */
export interface PlannedFile {
  path: string[];
  length: number;
  offset: number;
  pad: boolean;
  /** Where a real file's bytes are read from. */
  absolutePath?: string;
}

export interface Plan {
  version: TorrentVersion;
  name: string;
  singleFile: boolean;
  pieceLengthBytes: number;
  files: PlannedFile[];
  /** Length of the stream that v1 pieces cover (pads included). */
  totalLengthBytes: number;
}

/**
 * Picks a piece length: the smallest power of two from 16 KiB that keeps the torrent under about 2000 pieces,
 * capped at 16 MiB, so small files stay fine-grained and large ones keep the .torrent small.
 */
export function autoPieceLength(totalBytes: number): number {
  let length = 16 * 1024;
  while (length < 16 * 1024 * 1024 && totalBytes / length > 2000) length *= 2;
  return length;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** v2 order: component by component, as the keys of the file tree are sorted (BEP 52). */
function compareComponents(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareBytes(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Lays the files out: v1 files in full-path byte order, back to back (as mktorrent does); v2 and hybrid files in
 * file-tree order, each starting on a piece boundary. A hybrid with several files gets a pad file after every file
 * that does not end on a boundary, the last included, as libtorrent writes them.
 */
export function planTorrent(scan: ScanResult, version: TorrentVersion, pieceLengthBytes?: number): Plan {
  const order = scan.files.map((f) => ({ f }));
  if (version === 'v1') order.sort((x, y) => compareBytes(x.f.path.join('/'), y.f.path.join('/')));
  else order.sort((x, y) => compareComponents(x.f.path, y.f.path));
  const content = scan.files.reduce((s, f) => s + f.length, 0);
  const pl = pieceLengthBytes ?? autoPieceLength(content);
  const singleFile = !scan.isDirectory;
  const files: PlannedFile[] = [];
  let offset = 0;
  for (const { f } of order) {
    files.push({ path: f.path, length: f.length, offset, pad: false, absolutePath: f.absolutePath });
    offset += f.length;
    const gap = (pl - (offset % pl)) % pl;
    if (version === 'v1' || gap === 0) continue;
    if (version === 'hybrid' && !singleFile) files.push({ path: ['.pad', String(gap)], length: gap, offset, pad: true });
    // v2 alone aligns without pad entries; a single-file hybrid needs none.
    if (version === 'v2' || !singleFile) offset += gap;
  }
  // A v2-only stream ends where its last byte does; a hybrid's ends after its last pad.
  const last = files.filter((f) => !f.pad).at(-1)!;
  const totalLengthBytes = version === 'v2' ? last.offset + last.length : offset;
  return { version, name: scan.name, singleFile, pieceLengthBytes: pl, files, totalLengthBytes };
}
