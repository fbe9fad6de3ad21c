import { isBytes, isDict, isList, type BDict } from '../bencode/index.js';
import { invalid } from './errors.js';
import { field, requireBytes, requireCount, requireList } from './fields.js';
import { checkComponent, MAX_PATH_DEPTH } from './paths.js';
import type { TorrentFile } from './types.js';

export const MAX_FILES = 1_000_000;

/** The v1 half of an info dictionary (BEP 3, with BEP 47 pad files). */
export interface V1Info {
  files: TorrentFile[];
  singleFile: boolean;
  totalLengthBytes: number;
  pieces: Buffer;
}

export function parseV1(info: BDict, name: string, pieceLengthBytes: number): V1Info {
  const { files, singleFile } = field(info, 'files') !== undefined ? { files: parseFileList(info), singleFile: false } : { files: [singleFileEntry(info, name)], singleFile: true };
  const totalLengthBytes = files.reduce((sum, f) => sum + f.length, 0);
  if (!Number.isSafeInteger(totalLengthBytes)) throw invalid('total length is too large');
  const pieces = requireBytes(info, 'pieces');
  if (pieces.length % 20 !== 0) throw invalid(`pieces is ${pieces.length} bytes, not a multiple of 20`);
  const expected = Math.ceil(totalLengthBytes / pieceLengthBytes);
  if (pieces.length / 20 !== expected) {
    throw invalid(`pieces holds ${pieces.length / 20} hashes but ${totalLengthBytes} bytes in pieces of ${pieceLengthBytes} need ${expected}`);
  }
  return { files, singleFile, totalLengthBytes, pieces };
}

function singleFileEntry(info: BDict, name: string): TorrentFile {
  const length = requireCount(info, 'length');
  return { path: [name], length, offset: 0, pad: false };
}

function parseFileList(info: BDict): TorrentFile[] {
  const list = requireList(info, 'files');
  if (list.length === 0) throw invalid('files is an empty list');
  if (list.length > MAX_FILES) throw invalid(`files lists ${list.length} files, over ${MAX_FILES}`);
  const files: TorrentFile[] = [];
  let offset = 0;
  list.forEach((entry, i) => {
    if (!isDict(entry)) throw invalid(`files[${i}] is not a dictionary`);
    const length = requireCount(entry, 'length');
    const path = parsePath(entry, `files[${i}].path`);
    const attr = field(entry, 'attr');
    const pad = isBytes(attr) && attr.includes(0x70); // 'p'
    files.push({ path, length, offset, pad });
    offset += length;
  });
  return files;
}

function parsePath(entry: BDict, where: string): string[] {
  const raw = field(entry, 'path.utf-8') ?? field(entry, 'path');
  if (raw === undefined) throw invalid(`${where} is missing`);
  if (!isList(raw)) throw invalid(`${where} is not a list`);
  if (raw.length === 0) throw invalid(`${where} is empty`);
  if (raw.length > MAX_PATH_DEPTH) throw invalid(`${where} is ${raw.length} folders deep, over ${MAX_PATH_DEPTH}`);
  return raw.map((c) => {
    if (!isBytes(c)) throw invalid(`${where} has a component that is not a string`);
    return checkComponent(c, where);
  });
}

