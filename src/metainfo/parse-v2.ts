import { isBytes, isDict, keyBytes, type BDict } from '../bencode/index.js';
import { invalid } from './errors.js';
import { field, requireCount } from './fields.js';
import { HASH_BYTES, pieceLayerRoot } from './merkle.js';
import { checkComponent, MAX_PATH_DEPTH } from './paths.js';
import { MAX_FILES } from './parse-v1.js';

/** One file of a BEP 52 file tree, in tree order (keys sorted at every level). */
export interface V2File {
  path: string[];
  length: number;
  piecesRoot?: Buffer;
}

/** Walks a `file tree`, checking every name and leaf. A node is a file when it maps "" to {length, pieces root}. */
export function parseFileTree(tree: BDict): V2File[] {
  const out: V2File[] = [];
  walk(tree, [], out);
  if (out.length === 0) throw invalid('file tree holds no files');
  return out;
}

function walk(node: BDict, prefix: string[], out: V2File[]): void {
  if (prefix.length > MAX_PATH_DEPTH) throw invalid(`file tree is more than ${MAX_PATH_DEPTH} folders deep`);
  for (const [key, child] of node) {
    const where = `file tree entry ${JSON.stringify([...prefix, keyBytes(key).toString('utf8')].join('/'))}`;
    if (key === '') throw invalid(`${where} is a file and a folder at once`);
    const name = checkComponent(keyBytes(key), where);
    if (!isDict(child)) throw invalid(`${where} is not a dictionary`);
    const leaf = child.get('');
    if (leaf !== undefined) {
      if (child.size !== 1) throw invalid(`${where} is a file and a folder at once`);
      if (!isDict(leaf)) throw invalid(`${where} has a file entry that is not a dictionary`);
      out.push(fileLeaf(leaf, [...prefix, name], where));
      if (out.length > MAX_FILES) throw invalid(`file tree holds more than ${MAX_FILES} files`);
    } else {
      if (child.size === 0) throw invalid(`${where} is an empty folder`);
      walk(child, [...prefix, name], out);
    }
  }
}

function fileLeaf(leaf: BDict, path: string[], where: string): V2File {
  const length = requireCount(leaf, 'length');
  if (length === 0) return { path, length };
  const root = field(leaf, 'pieces root');
  if (!isBytes(root)) throw invalid(`${where} has no pieces root`);
  if (root.length !== HASH_BYTES) throw invalid(`${where} has a pieces root of ${root.length} bytes, not 32`);
  return { path, length, piecesRoot: root };
}

/**
 * Checks `piece layers` against the file tree (BEP 52): every file longer than one piece has a layer of exactly
 * one hash per piece whose merkle root is the file's pieces root. Layers for unknown roots are ignored.
 * With `required` false (metadata fetched from a magnet, which carries no layers) missing layers are allowed.
 */
export function checkPieceLayers(files: V2File[], layers: BDict | undefined, pieceLengthBytes: number, required: boolean): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of files) {
    if (!f.piecesRoot || f.length <= pieceLengthBytes) continue;
    const name = f.path.join('/');
    const layer = layers?.get(f.piecesRoot.toString('latin1'));
    if (layer === undefined) {
      if (required) throw invalid(`piece layers has no entry for ${name}`);
      continue;
    }
    if (!isBytes(layer)) throw invalid(`piece layers entry for ${name} is not a byte string`);
    const pieces = Math.ceil(f.length / pieceLengthBytes);
    if (layer.length !== pieces * HASH_BYTES) throw invalid(`piece layers entry for ${name} is ${layer.length} bytes, not ${pieces * HASH_BYTES}`);
    if (!pieceLayerRoot(layer, pieceLengthBytes).equals(f.piecesRoot)) throw invalid(`piece layers entry for ${name} does not hash to its pieces root`);
    out.set(f.piecesRoot.toString('hex'), layer);
  }
  return out;
}
