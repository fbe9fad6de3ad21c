// Fuzz targets for the node's control API (Transmission RPC and JSON-RPC request bodies) and compute's scheduler
// messages. The API targets run on a one-shot node that is never started: nothing listens, nothing is fetched.
import { isDeepStrictEqual } from 'node:util';
import { answerBody, JSONRPC_ERRORS } from '../../src/api/jsonrpc.js';
import { handleRequest } from '../../src/api/transmission/methods.js';
import { parseSchedulerReply, parseSchedulerRequest } from '../../src/compute/protocol.js';
import { decodeBundle, encodeBundle } from '../../src/compute/sandbox/bundle.js';
import { Node } from '../../src/node/index.js';
import { TandemError } from '../../src/util/errors.js';
import { invariant, typedOnly, type FuzzTarget } from './target.js';

const JSON_TOKENS = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '-1', '1e308', '"ids"', '"all"', '"fields"', '"method"', '"arguments"', '"params"', '\\u0000'];

/** A body the API's own JSON reader refuses (400) before any method sees it: a rejection, as the server makes it. */
function json(input: Buffer): unknown {
  try {
    return JSON.parse(input.toString('utf8'));
  } catch {
    throw new TandemError('FUZZ_NOT_JSON', 'not JSON', 'input');
  }
}

// Methods that add torrents or start servers reach the disk and the network by design; they are left out.
const OUTSIDE = new Set(['torrent-add', 'torrent.add', 'torrent.create', 'server.start', 'compute.start']);
const reachesOutside = (body: unknown): boolean => [body].flat().some((r) => typeof r === 'object' && r !== null && OUTSIDE.has(String((r as { method?: unknown }).method)));

let shared: Promise<Node> | undefined;
const node = (): Promise<Node> => (shared ??= Node.open({ oneShot: true }));
const closeNode = async (): Promise<void> => {
  const n = shared;
  shared = undefined;
  await (await n)?.stop();
};

/** A run that parses the body as the API does and hands it, with the shared node, to `answer`. */
function onNode(answer: (node: Node, body: unknown) => Promise<void>): (input: Buffer) => Promise<void> {
  return async (input) => {
    const body = json(input);
    if (!reachesOutside(body)) await answer(await node(), body);
  };
}

const transmissionSeeds = [
  { method: 'torrent-get', arguments: { fields: ['id', 'name', 'percentDone', 'files', 'peers'], ids: 'recently-active' }, tag: 3 },
  { method: 'torrent-get', arguments: { fields: ['id', 'hashString'], format: 'table', ids: [1, 'abcd'] } },
  { method: 'session-set', arguments: { 'speed-limit-down': 100, 'speed-limit-down-enabled': true, 'peer-port': 51413 } },
  { method: 'torrent-set', arguments: { ids: [1], 'files-wanted': [0], priority_high: [1], labels: ['x'] } },
  { method: 'session-get', arguments: { fields: ['version'] } },
  { method: 'queue-move-top', arguments: { ids: 'all' } },
  { method: 'torrent-remove', arguments: { ids: [1], 'delete-local-data': false } },
];
const jsonRpcSeeds = [
  { jsonrpc: '2.0', id: 1, method: 'torrent.list' },
  [{ jsonrpc: '2.0', id: 'a', method: 'torrent.set', params: { ids: [1], sequential: true, labels: ['x'] } }, { jsonrpc: '2.0', method: 'session.stats' }],
  { jsonrpc: '2.0', id: 2, method: 'session.set', params: { downloadLimitBytesPerSec: 0, encryption: 'prefer' } },
  { jsonrpc: '2.0', id: 3, method: 'torrent.pause', params: { ids: 'all' } },
  { jsonrpc: '2.0', id: 4, method: 'server.log', params: { kind: 'http', limit: 5 } },
];
const request = {
  hostId: 3, authenticator: 'abcdefghijklmnopqrstuvwx', userName: 'alice', cores: 2, memoryBytes: 1 << 30, gflops: 2.5, wasmFeatures: ['mvp'], workSeconds: 120, inProgress: ['wu1_0'],
  finished: [{ instance: 'wu2_1', status: 'success', reason: null, outputSha256: 'a'.repeat(64), outputBytes: 10, cpuSeconds: 1.5, elapsedSeconds: 2 }],
};
const reply = {
  hostId: 3, authenticator: 'abcdefghijklmnopqrstuvwx', requestDelayMs: 1000, acks: ['wu2_1'], aborts: [],
  apps: [{ name: 'sum', version: 1, wasmSha256: 'b'.repeat(64), wasmBytes: 100, manifest: '{}', signature: 'c2ln' }],
  workUnits: [{ name: 'wu3', app: 'sum', appVersion: 1, inputs: [{ name: 'in', sha256: 'c'.repeat(64), bytes: 5 }], stdinName: 'in', seed: 'd'.repeat(64), cpuSeconds: 10, memoryBytes: 1 << 20, outputBytes: 100 }],
  instances: [{ name: 'wu3_0', workUnit: 'wu3', deadlineMs: 1e12, permit: 'p.e.r' }],
};
const asBytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

export const serviceTargets: FuzzTarget[] = [
  {
    name: 'rpc-transmission',
    about: 'Transmission RPC request bodies (src/api/transmission) on a node; an untyped exception is an "internal error" reply',
    seeds: () => transmissionSeeds.map(asBytes),
    tokens: JSON_TOKENS.concat(['"torrent-get"', '"session-set"', '"torrent-set"', '"format"', '"table"']),
    run: onNode(async (n, body) => {
      const answer = await handleRequest({ node: n, recent: () => ({ active: [], removed: [] }) }, body);
      invariant(!String(answer.result).startsWith('internal error'), String(answer.result));
    }),
    close: closeNode,
  },
  {
    name: 'rpc-json',
    about: "tandem's JSON-RPC 2.0 bodies and batches (src/api/jsonrpc.ts) on a node; no reply may be the internal error",
    seeds: () => jsonRpcSeeds.map(asBytes),
    tokens: JSON_TOKENS.concat(['"jsonrpc"', '"2.0"', '"id"', '"torrent.set"', '"session.set"']),
    run: onNode(async (n, body) => {
      const answer = await answerBody(n, body);
      for (const r of [answer].flat() as { error?: { code: number; message: string } }[]) invariant(r?.error?.code !== JSONRPC_ERRORS.internal, `internal error: ${r?.error?.message}`);
    }),
    close: closeNode,
  },
  {
    name: 'compute-scheduler',
    about: "compute's scheduler messages: a volunteer's request (server side) and the server's reply (volunteer side)",
    seeds: () => [asBytes(request), asBytes(reply), asBytes({ cores: 1, memoryBytes: 0, gflops: 0, workSeconds: 0 })],
    tokens: JSON_TOKENS.concat(['"finished"', '"workUnits"', '"instances"', '"inputs"']),
    run(input) {
      const body = json(input);
      // What a parser returns is a message it accepts again, unchanged (it went out as JSON, it comes back so).
      const again = <T>(parse: (v: unknown) => T): boolean =>
        typedOnly(() => {
          const parsed = parse(body);
          invariant(isDeepStrictEqual(parse(JSON.parse(JSON.stringify(parsed))), parsed), 'a parsed message parses to another value');
        });
      const a = again(parseSchedulerRequest);
      const b = again(parseSchedulerReply);
      return a || b;
    },
  },
  {
    name: 'compute-bundle',
    about: "compute's output bundles uploaded by volunteers; an accepted bundle re-encodes to its bytes",
    seeds: () => [encodeBundle(new Map([['stdout', Buffer.from('out')], ['result.txt', Buffer.from('42')]]))],
    run(input) {
      const files = decodeBundle(input);
      // Names arrive in any order; the encoder sorts them, so compare on a re-decode.
      const again = decodeBundle(encodeBundle(files));
      invariant(again.size === files.size && [...files].every(([k, v]) => again.get(k)?.equals(v)), 'bundle does not survive a re-encode');
    },
  },
];
