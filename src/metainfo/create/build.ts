import { dictKey, encode, type BInput } from '../../bencode/index.js';
import { fileTree } from '../merkle.js';
import type { PlanHashes } from './hash-pool.js';
import type { Plan } from './plan.js';

export interface TorrentExtras {
  trackers: string[];
  webSeeds: string[];
  private: boolean;
  comment?: string;
  createdBy?: string;
  /** Seconds since the epoch; undefined leaves the field out. */
  creationDate?: number;
}

/** Assembles the .torrent's bytes from a plan and its hashes. Pure: no I/O. */
export function buildTorrent(plan: Plan, hashes: PlanHashes, extras: TorrentExtras): Buffer {
  const info: Record<string, BInput | undefined> = { name: plan.name, 'piece length': plan.pieceLengthBytes };
  if (extras.private) info.private = 1;
  const realFiles = plan.files.filter((f) => !f.pad);
  const layers = new Map<string, BInput>();
  if (plan.version !== 'v1') {
    info['meta version'] = 2;
    info['file tree'] = buildFileTree(plan, hashes, layers);
  }
  if (plan.version !== 'v2') {
    info.pieces = hashes.sha1;
    if (plan.singleFile) info.length = realFiles[0]!.length;
    else info.files = plan.files.map((f) => (f.pad ? { attr: 'p', length: f.length, path: f.path } : { length: f.length, path: f.path }));
  }
  // BEP 12: each tracker in a tier of its own, tried in order, as mktorrent and libtorrent write them.
  const trackers = extras.trackers;
  const torrent: Record<string, BInput | undefined> = {
    announce: trackers[0],
    'announce-list': trackers.length > 1 ? trackers.map((t) => [t]) : undefined,
    comment: extras.comment,
    'created by': extras.createdBy,
    'creation date': extras.creationDate,
    info,
    'piece layers': plan.version !== 'v1' ? layers : undefined,
    'url-list': extras.webSeeds.length > 0 ? extras.webSeeds : undefined,
  };
  return encode(torrent);
}

type TreeNode = Map<string, BInput>;

/** The BEP 52 file tree; records a piece layer for every file longer than one piece. */
function buildFileTree(plan: Plan, hashes: PlanHashes, layers: Map<string, BInput>): TreeNode {
  const tree: TreeNode = new Map();
  let index = 0;
  for (const f of plan.files) {
    if (f.pad) continue;
    const leaves = hashes.leaves[index++]!;
    let node = tree;
    for (const component of f.path.slice(0, -1)) {
      const key = dictKey(component);
      if (!node.has(key)) node.set(key, new Map());
      node = node.get(key) as TreeNode;
    }
    const leaf: Record<string, BInput> = { length: f.length };
    if (f.length > 0) {
      const { root, pieceLayer } = fileTree(leaves, plan.pieceLengthBytes);
      leaf['pieces root'] = root;
      if (pieceLayer) layers.set(root.toString('latin1'), pieceLayer);
    }
    node.set(dictKey(f.path.at(-1)!), new Map([['', leaf]]));
  }
  return tree;
}
