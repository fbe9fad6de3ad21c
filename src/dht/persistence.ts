/**
 * The routing table saved on exit and loaded on start: a small JSON file with our id and the nodes we knew.
 * The file is input like any other: size-capped, every field checked, a bad entry skipped.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isIP } from 'node:net';
import type { Contact } from './compact.js';
import { DhtError } from './errors.js';
import { asNodeId, ID_BYTES, type NodeId } from './node-id.js';

export interface SavedState {
  id: NodeId;
  nodes: Contact[];
}

const MAX_STATE_FILE_BYTES = 1024 * 1024;
const MAX_SAVED_NODES = 2_000;

export function serializeState(state: SavedState): string {
  return JSON.stringify({ version: 1, id: state.id.toString('hex'), nodes: state.nodes.slice(0, MAX_SAVED_NODES).map((n) => ({ id: n.id.toString('hex'), host: n.host, port: n.port })) }, null, 1);
}

export function parseState(text: string): SavedState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DhtError('DHT_STATE_FILE', `the DHT state file is not JSON: ${(err as Error).message}`, 'input');
  }
  const obj = raw as { version?: unknown; id?: unknown; nodes?: unknown };
  if (typeof obj !== 'object' || obj === null || obj.version !== 1 || !isHexId(obj.id) || !Array.isArray(obj.nodes)) {
    throw new DhtError('DHT_STATE_FILE', 'the DHT state file does not have the expected fields', 'input');
  }
  const nodes: Contact[] = [];
  for (const n of obj.nodes.slice(0, MAX_SAVED_NODES) as { id?: unknown; host?: unknown; port?: unknown }[]) {
    if (typeof n !== 'object' || n === null || !isHexId(n.id) || typeof n.host !== 'string' || !isIP(n.host)) continue;
    if (typeof n.port !== 'number' || !Number.isInteger(n.port) || n.port < 1 || n.port > 65535) continue;
    nodes.push({ id: asNodeId(Buffer.from(n.id, 'hex')), host: n.host, port: n.port });
  }
  return { id: asNodeId(Buffer.from(obj.id, 'hex')), nodes };
}

function isHexId(v: unknown): v is string {
  return typeof v === 'string' && v.length === ID_BYTES * 2 && /^[0-9a-f]+$/i.test(v);
}

/** Reads a saved state; a missing file is `undefined`, a broken one a DhtError. */
export async function readState(path: string): Promise<SavedState | undefined> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_STATE_FILE_BYTES) throw new DhtError('DHT_STATE_FILE', `the DHT state file ${path} is over ${MAX_STATE_FILE_BYTES} bytes`, 'input');
    text = buf.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof DhtError) throw err;
    throw new DhtError('DHT_STATE_FILE', `cannot read the DHT state file ${path}: ${(err as Error).message}`, 'runtime', { cause: err });
  }
  return parseState(text);
}

/** Writes atomically (temp file then rename), so a crash mid-write leaves the old file whole; creates the folder. */
export async function writeState(path: string, state: SavedState): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true }); // the state dir (~/.local/state/tandem) may not exist yet
    await writeFile(tmp, serializeState(state));
    await rename(tmp, path);
  } catch (err) {
    throw new DhtError('DHT_STATE_FILE', `cannot write the DHT state file ${path}: ${(err as Error).message}`, 'runtime', { cause: err });
  }
}
