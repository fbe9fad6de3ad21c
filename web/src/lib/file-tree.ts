// A torrent's files as a folder tree, flattened to the rows a virtual list shows. Built once per torrent (20,000
// files take a few milliseconds); wanted state and sizes of folders are summed from their files on each flatten.
import type { TorrentFileInfo } from '../../../src/node/types.js';

export interface FolderNode {
  name: string;
  path: string;
  folders: FolderNode[];
  files: number[];
}

export interface TreeRow {
  depth: number;
  path: string;
  name: string;
  /** A file's index, or -1 for a folder. */
  file: number;
  /** File indexes under this row. */
  indexes: number[];
}

export function buildTree(files: readonly Pick<TorrentFileInfo, 'index' | 'path'>[]): FolderNode {
  const root: FolderNode = { name: '', path: '', folders: [], files: [] };
  const byPath = new Map<string, FolderNode>([['', root]]);
  for (const f of files) {
    const parts = f.path.split('/');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join('/');
      let next = byPath.get(path);
      if (!next) {
        next = { name: parts[i]!, path, folders: [], files: [] };
        byPath.set(path, next);
        node.folders.push(next);
      }
      node = next;
    }
    node.files.push(f.index);
  }
  return root;
}

function allFiles(node: FolderNode, out: number[] = []): number[] {
  out.push(...node.files);
  for (const f of node.folders) allFiles(f, out);
  return out;
}

/** Rows of the expanded part of the tree. A torrent of one folder shows its content directly. */
export function flatten(root: FolderNode, files: readonly Pick<TorrentFileInfo, 'path'>[], expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (node: FolderNode, depth: number): void => {
    for (const folder of node.folders) {
      rows.push({ depth, path: folder.path, name: folder.name, file: -1, indexes: allFiles(folder) });
      if (expanded.has(folder.path)) walk(folder, depth + 1);
    }
    for (const i of node.files) {
      const path = files[i]?.path ?? '';
      rows.push({ depth, path, name: path.slice(path.lastIndexOf('/') + 1), file: i, indexes: [i] });
    }
  };
  walk(root, 0);
  return rows;
}

/** Every folder path, to expand the whole tree (small torrents start expanded). */
export function folderPaths(root: FolderNode, out: string[] = []): string[] {
  for (const f of root.folders) {
    out.push(f.path);
    folderPaths(f, out);
  }
  return out;
}

export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
