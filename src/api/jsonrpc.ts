import { isTandemError } from '../util/errors.js';
import type { IdSelector, Node, QueueMove, ServerKind } from '../node/index.js';
import { COMPUTE_METHODS, ComputeParamError } from './compute-rpc.js';

/**
 * tandem's own API: JSON-RPC 2.0 over HTTP POST (batches too), one method per library call of the node. Errors
 * carry JSON-RPC's numeric code and, in `data.code`, the node's stable error code.
 */
type Params = Record<string, unknown>;
type Method = (node: Node, params: Params) => unknown;

export const JSONRPC_ERRORS = { parse: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602, internal: -32603, node: -32000 } as const;

class ParamError extends Error {}

function ids(p: Params): IdSelector {
  const v = p.ids ?? p.id;
  if (v === 'all' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v) && v.length <= 100_000 && v.every((x) => typeof x === 'number' || typeof x === 'string')) return v as (number | string)[];
  throw new ParamError('ids must be an id, an info-hash prefix, a list of them, or "all"');
}

function optional<T>(p: Params, key: string, check: (v: unknown) => boolean, what: string): T | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (!check(v)) throw new ParamError(`${key} must be ${what}`);
  return v as T;
}

const isString = (v: unknown): boolean => typeof v === 'string';
const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isIndexList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const SERVER_KINDS = ['http', 'tftp', 'ftp', 'tracker-http', 'tracker-udp'];
const MOVES = ['top', 'up', 'down', 'bottom'];

export const METHODS: Record<string, Method> = {
  'session.get': (node) => ({ ...node.getSettings(), version: node.stats().version, peerPortBound: node.peerPort }),
  'session.set': (node, p) => node.setSettings(p),
  'session.stats': (node) => node.stats(),
  'torrent.list': (node) => node.torrents.list(),
  'torrent.get': (node, p) => node.torrents.get(ids(p) as number | string),
  'torrent.add': (node, p) => {
    const metainfo = optional<string>(p, 'metainfo', isString, 'base64 text');
    return node.torrents.add({
      source: optional(p, 'source', isString, 'a magnet link, URL or path'),
      metainfo: metainfo === undefined ? undefined : Buffer.from(metainfo, 'base64'),
      savePath: optional(p, 'savePath', isString, 'a path'),
      paused: optional(p, 'paused', isBool, 'true or false'),
      onlyFiles: optional(p, 'onlyFiles', isIndexList, 'a list of file indexes'),
      sequential: optional(p, 'sequential', isBool, 'true or false'),
      labels: optional(p, 'labels', isStringList, 'a list of strings'),
      peers: optional(p, 'peers', isStringList, 'a list of HOST:PORT'),
    });
  },
  'torrent.pause': (node, p) => ({ ids: node.torrents.pause(ids(p)) }),
  'torrent.resume': (node, p) => ({ ids: node.torrents.resume(ids(p)) }),
  'torrent.reannounce': (node, p) => ({ ids: node.torrents.reannounce(ids(p)) }),
  'torrent.verify': async (node, p) => ({ ids: await node.torrents.verify(ids(p)) }),
  'torrent.remove': async (node, p) => ({ ids: await node.torrents.remove(ids(p), Boolean(optional(p, 'deleteData', isBool, 'true or false'))) }),
  'torrent.set': async (node, p) => {
    const { ids: _ids, id: _id, ...changes } = p;
    void _ids;
    void _id;
    return { ids: await node.torrents.set(ids(p), changes) };
  },
  'torrent.setLocation': async (node, p) => ({ ids: await node.torrents.setLocation(ids(p), requireString(p, 'location')) }),
  'torrent.queueMove': (node, p) => ({ ids: node.torrents.queueMove(ids(p), requireOneOf(p, 'to', MOVES) as QueueMove) }),
  'torrent.create': async (node, p) => {
    const created = await node.torrents.create({
      path: requireString(p, 'path'),
      trackers: optional(p, 'trackers', isStringList, 'a list of URLs'),
      webSeeds: optional(p, 'webSeeds', isStringList, 'a list of URLs'),
      private: optional(p, 'private', isBool, 'true or false'),
      pieceLengthBytes: optional(p, 'pieceLengthBytes', Number.isInteger, 'a power of two'),
      hybrid: optional(p, 'hybrid', isBool, 'true or false'),
      seed: optional(p, 'seed', isBool, 'true or false'),
      job: optional(p, 'job', (v) => typeof v === 'string' && v.length <= 64, 'a string of at most 64 characters'),
    });
    return { metainfo: created.bytes.toString('base64'), torrent: created.torrent };
  },
  'server.list': (node) => node.servers.list(),
  'server.log': (node, p) => node.servers.recentLog(requireOneOf(p, 'kind', SERVER_KINDS) as ServerKind),
  'server.start': (node, p) =>
    node.servers.start({
      kind: requireOneOf(p, 'kind', SERVER_KINDS) as ServerKind,
      address: requireString(p, 'address'),
      root: optional(p, 'root', isString, 'a folder') ?? node.serveDir,
      seed: optional(p, 'seed', isBool, 'true or false'),
      tftpWrite: optional(p, 'tftpWrite', isBool, 'true or false'),
    }),
  'server.stop': (node, p) => node.servers.stop(requireOneOf(p, 'kind', SERVER_KINDS) as ServerKind),
  ...COMPUTE_METHODS,
};

function requireString(p: Params, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length === 0) throw new ParamError(`${key} is required (a string)`);
  return v;
}

function requireOneOf(p: Params, key: string, allowed: string[]): string {
  const v = p[key];
  if (typeof v !== 'string' || !allowed.includes(v)) throw new ParamError(`${key} must be one of ${allowed.join(', ')}`);
  return v;
}

interface RpcError {
  code: number;
  message: string;
  data?: { code: string };
}

type Reply = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: RpcError };

/** Answers one JSON-RPC request object; undefined for a notification (no id). */
export async function answerOne(node: Node, request: unknown): Promise<Reply | undefined> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return { jsonrpc: '2.0', id: null, error: { code: JSONRPC_ERRORS.invalidRequest, message: 'a request is a JSON object' } };
  }
  const r = request as Record<string, unknown>;
  const id = typeof r.id === 'string' || typeof r.id === 'number' || r.id === null ? r.id : undefined;
  const notification = !('id' in r);
  const fail = (error: RpcError): Reply | undefined => (notification ? undefined : { jsonrpc: '2.0', id: id ?? null, error });
  if (r.jsonrpc !== '2.0' || typeof r.method !== 'string') return fail({ code: JSONRPC_ERRORS.invalidRequest, message: 'expected {"jsonrpc":"2.0","method":…}' });
  const method = Object.hasOwn(METHODS, r.method) ? METHODS[r.method] : undefined;
  if (!method) return fail({ code: JSONRPC_ERRORS.methodNotFound, message: `no method ${JSON.stringify(r.method).slice(0, 100)}` });
  const params = r.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return fail({ code: JSONRPC_ERRORS.invalidParams, message: 'params must be an object' });
  try {
    const result = await method(node, params as Params);
    return notification ? undefined : { jsonrpc: '2.0', id: id ?? null, result: result ?? null };
  } catch (err) {
    if (err instanceof ParamError || err instanceof ComputeParamError) return fail({ code: JSONRPC_ERRORS.invalidParams, message: err.message });
    if (isTandemError(err)) return fail({ code: err.kind === 'input' ? JSONRPC_ERRORS.invalidParams : JSONRPC_ERRORS.node, message: err.message, data: { code: err.code } });
    return fail({ code: JSONRPC_ERRORS.internal, message: (err as Error).message ?? 'internal error' });
  }
}

/** Answers a parsed body: one request or a batch (JSON-RPC 2.0 §6). Undefined when nothing is to be sent back. */
export async function answerBody(node: Node, body: unknown): Promise<unknown> {
  if (Array.isArray(body)) {
    if (body.length === 0) return { jsonrpc: '2.0', id: null, error: { code: JSONRPC_ERRORS.invalidRequest, message: 'an empty batch' } };
    if (body.length > 1000) return { jsonrpc: '2.0', id: null, error: { code: JSONRPC_ERRORS.invalidRequest, message: 'a batch of more than 1000 requests' } };
    const replies = [];
    for (const request of body) {
      const reply = await answerOne(node, request);
      if (reply) replies.push(reply);
    }
    return replies.length > 0 ? replies : undefined;
  }
  return answerOne(node, body);
}
