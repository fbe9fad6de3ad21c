/**
 * The KRPC codec of BEP 5 (with BEP 32's `want`/`nodes6` and BEP 43's `ro`): datagram bytes to a typed message and
 * back. Pure: no sockets, no clocks. `decodeMessage` throws `KrpcDecodeError` (a `DhtError`) and nothing else;
 * when the datagram was a query with a usable transaction id the error carries it, so the node can answer 203.
 */
import { decode, encode, isBytes, isDict, isInt, isList, BencodeError, type BDict, type BInput, type BValue } from '../bencode/index.js';
import { decodeNodes, decodePeer, encodeNodes, encodePeer, type Contact, type Family, type PeerAddress } from './compact.js';
import { DhtError } from './errors.js';
import { asNodeId, ID_BYTES, type NodeId } from './node-id.js';

/** BEP 5 error codes. */
export const KRPC_ERROR = { generic: 201, server: 202, protocol: 203, methodUnknown: 204 } as const;

const MAX_TRANSACTION_ID_BYTES = 32;
const MAX_TOKEN_BYTES = 128;
const MAX_VALUES = 1_000;
const MAX_ERROR_TEXT_BYTES = 512;

interface QueryCommon {
  y: 'q';
  t: Buffer;
  id: NodeId;
  /** BEP 43: the sender is read-only and must not be added to routing tables. */
  readOnly: boolean;
  /** BEP 32: which address families the querier wants nodes for. */
  want?: Family[];
}

export type KrpcQuery =
  | (QueryCommon & { q: 'ping' })
  | (QueryCommon & { q: 'find_node'; target: NodeId })
  | (QueryCommon & { q: 'get_peers'; infoHash: NodeId })
  | (QueryCommon & { q: 'announce_peer'; infoHash: NodeId; port: number; impliedPort: boolean; token: Buffer })
  | (QueryCommon & { q: 'unknown'; method: string });

export type QueryMethod = Exclude<KrpcQuery['q'], 'unknown'>;

/** What a response can carry; which fields are present depends on the query it answers. */
export interface ResponseBody {
  id: NodeId;
  nodes?: Contact[];
  nodes6?: Contact[];
  values?: PeerAddress[];
  token?: Buffer;
}

export interface KrpcResponse extends ResponseBody {
  y: 'r';
  t: Buffer;
  /** BEP 42: the address the responder saw us at (informational). */
  ip?: PeerAddress;
}

export interface KrpcErrorMessage {
  y: 'e';
  t: Buffer;
  code: number;
  message: string;
}

export type KrpcMessage = KrpcQuery | KrpcResponse | KrpcErrorMessage;

/** A datagram that breaks KRPC. `transactionId` is set when it was a query we can still answer with error 203. */
export class KrpcDecodeError extends DhtError {
  constructor(
    message: string,
    readonly transactionId?: Buffer,
    code: 'KRPC_MALFORMED' | 'KRPC_BAD_FIELD' = 'KRPC_MALFORMED',
  ) {
    super(code, message, 'input');
    this.name = 'KrpcDecodeError';
  }
}

export function decodeMessage(datagram: Buffer): KrpcMessage {
  let root: BValue;
  try {
    // KRPC messages are shallow; a deep nesting is an attack on the decoder, not a message.
    root = decode(datagram, { maxDepth: 8, maxStringBytes: datagram.length });
  } catch (err) {
    if (err instanceof BencodeError) throw new KrpcDecodeError(`not bencode: ${err.message}`);
    throw err;
  }
  if (!isDict(root)) throw new KrpcDecodeError('a KRPC message is a dictionary');
  const t = root.get('t');
  if (!isBytes(t) || t.length === 0 || t.length > MAX_TRANSACTION_ID_BYTES) throw new KrpcDecodeError('missing or bad transaction id "t"');
  const y = root.get('y');
  if (!isBytes(y) || y.length !== 1) throw new KrpcDecodeError('missing message type "y"');
  switch (y.toString('latin1')) {
    case 'q':
      return decodeQuery(root, t);
    case 'r':
      return decodeResponse(root, t);
    case 'e':
      return decodeError(root, t);
    default:
      throw new KrpcDecodeError(`unknown message type "${y.toString('latin1')}"`);
  }
}

function bytesField(dict: BDict, key: string, t?: Buffer): Buffer {
  const v = dict.get(key);
  if (!isBytes(v)) throw new KrpcDecodeError(`"${key}" must be a byte string`, t, 'KRPC_BAD_FIELD');
  return v;
}

function idField(dict: BDict, key: string, t?: Buffer): NodeId {
  const v = bytesField(dict, key, t);
  if (v.length !== ID_BYTES) throw new KrpcDecodeError(`"${key}" must be ${ID_BYTES} bytes, got ${v.length}`, t, 'KRPC_BAD_FIELD');
  return asNodeId(Buffer.from(v));
}

function decodeWant(a: BDict, t: Buffer): Family[] | undefined {
  const want = a.get('want');
  if (want === undefined) return undefined;
  if (!isList(want) || want.length > 8) throw new KrpcDecodeError('"want" must be a short list', t, 'KRPC_BAD_FIELD');
  const out: Family[] = [];
  for (const w of want) {
    if (!isBytes(w)) throw new KrpcDecodeError('"want" entries must be strings', t, 'KRPC_BAD_FIELD');
    const s = w.toString('latin1');
    if (s === 'n4' && !out.includes(4)) out.push(4);
    else if (s === 'n6' && !out.includes(6)) out.push(6); // BEP 32: other values are ignored
  }
  return out;
}

function decodeQuery(root: BDict, t: Buffer): KrpcQuery {
  const q = root.get('q');
  if (!isBytes(q) || q.length > 64) throw new KrpcDecodeError('query without a method name "q"', t);
  const a = root.get('a');
  if (!isDict(a)) throw new KrpcDecodeError('query without an argument dictionary "a"', t);
  const ro = root.get('ro');
  const common: QueryCommon = { y: 'q', t, id: idField(a, 'id', t), readOnly: isInt(ro) && Number(ro) === 1 };
  const want = decodeWant(a, t);
  if (want) common.want = want;
  const method = q.toString('latin1');
  switch (method) {
    case 'ping':
      return { ...common, q: 'ping' };
    case 'find_node':
      return { ...common, q: 'find_node', target: idField(a, 'target', t) };
    case 'get_peers':
      return { ...common, q: 'get_peers', infoHash: idField(a, 'info_hash', t) };
    case 'announce_peer':
      return decodeAnnounce(a, common, t);
    default:
      return { ...common, q: 'unknown', method };
  }
}

function decodeAnnounce(a: BDict, common: QueryCommon, t: Buffer): KrpcQuery {
  const implied = a.get('implied_port');
  if (implied !== undefined && !isInt(implied)) throw new KrpcDecodeError('"implied_port" must be an integer', t, 'KRPC_BAD_FIELD');
  const impliedPort = implied !== undefined && Number(implied) !== 0;
  const port = a.get('port');
  // BEP 5: with implied_port set the port argument is ignored (and may be absent in practice).
  let portNumber = 0;
  if (!impliedPort || port !== undefined) {
    if (!isInt(port) || port < 0 || port > 65535) throw new KrpcDecodeError('"port" must be an integer 0-65535', t, 'KRPC_BAD_FIELD');
    portNumber = Number(port);
    if (!impliedPort && portNumber === 0) throw new KrpcDecodeError('"port" must not be 0', t, 'KRPC_BAD_FIELD');
  }
  const token = bytesField(a, 'token', t);
  if (token.length > MAX_TOKEN_BYTES) throw new KrpcDecodeError('"token" too long', t, 'KRPC_BAD_FIELD');
  return { ...common, q: 'announce_peer', infoHash: idField(a, 'info_hash', t), port: portNumber, impliedPort, token: Buffer.from(token) };
}

function decodeResponse(root: BDict, t: Buffer): KrpcResponse {
  const r = root.get('r');
  if (!isDict(r)) throw new KrpcDecodeError('response without a body "r"');
  const out: KrpcResponse = { y: 'r', t: Buffer.from(t), id: idField(r, 'id') };
  const nodes = r.get('nodes');
  if (nodes !== undefined) out.nodes = nodesOf(nodes, 4);
  const nodes6 = r.get('nodes6');
  if (nodes6 !== undefined) out.nodes6 = nodesOf(nodes6, 6);
  const token = r.get('token');
  if (token !== undefined) {
    if (!isBytes(token) || token.length > MAX_TOKEN_BYTES) throw new KrpcDecodeError('"token" must be a short byte string', undefined, 'KRPC_BAD_FIELD');
    out.token = Buffer.from(token);
  }
  const values = r.get('values');
  if (values !== undefined) {
    if (!isList(values) || values.length > MAX_VALUES) throw new KrpcDecodeError('"values" must be a list', undefined, 'KRPC_BAD_FIELD');
    out.values = values.map((v) => {
      if (!isBytes(v)) throw new KrpcDecodeError('"values" entries must be byte strings', undefined, 'KRPC_BAD_FIELD');
      return peerOf(v);
    });
  }
  const ip = root.get('ip');
  if (isBytes(ip) && (ip.length === 6 || ip.length === 18)) out.ip = decodePeer(ip);
  return out;
}

function nodesOf(v: BValue, family: Family): Contact[] {
  if (!isBytes(v)) throw new KrpcDecodeError(`"nodes${family === 6 ? '6' : ''}" must be a byte string`, undefined, 'KRPC_BAD_FIELD');
  try {
    return decodeNodes(v, family);
  } catch (err) {
    throw new KrpcDecodeError((err as Error).message, undefined, 'KRPC_BAD_FIELD');
  }
}

function peerOf(v: Buffer): PeerAddress {
  try {
    return decodePeer(v);
  } catch (err) {
    throw new KrpcDecodeError((err as Error).message, undefined, 'KRPC_BAD_FIELD');
  }
}

function decodeError(root: BDict, t: Buffer): KrpcErrorMessage {
  const e = root.get('e');
  if (!isList(e) || e.length < 1) throw new KrpcDecodeError('error without a list "e"');
  const [code, text] = e;
  if (!isInt(code)) throw new KrpcDecodeError('error code must be an integer', undefined, 'KRPC_BAD_FIELD');
  // A code past 2^53 would come out as a rounded number no encoder takes back (found by `npm run fuzz`).
  if (!Number.isSafeInteger(Number(code))) throw new KrpcDecodeError('error code out of range', undefined, 'KRPC_BAD_FIELD');
  const message = isBytes(text) ? text.subarray(0, MAX_ERROR_TEXT_BYTES).toString('utf8') : '';
  return { y: 'e', t: Buffer.from(t), code: Number(code), message };
}

// ---- encoding ---------------------------------------------------------------------------------------------

export type QueryArgs =
  | { q: 'ping' }
  | { q: 'find_node'; target: Buffer }
  | { q: 'get_peers'; infoHash: Buffer }
  | { q: 'announce_peer'; infoHash: Buffer; port: number; impliedPort: boolean; token: Buffer };

export interface EncodeQueryOptions {
  readOnly?: boolean;
  want?: Family[];
  /** Client version, BEP 5 "v": two letters and two bytes. */
  version?: Buffer;
}

export function encodeQuery(t: Buffer, id: Buffer, args: QueryArgs, opts: EncodeQueryOptions = {}): Buffer {
  const a: Record<string, BInput> = { id };
  if (args.q === 'find_node') a.target = args.target;
  if (args.q === 'get_peers' || args.q === 'announce_peer') a.info_hash = args.infoHash;
  if (args.q === 'announce_peer') {
    a.implied_port = args.impliedPort ? 1 : 0;
    a.port = args.port;
    a.token = args.token;
  }
  if (opts.want) a.want = opts.want.map((f) => `n${f}`);
  const msg: Record<string, BInput> = { t, y: 'q', q: args.q, a };
  if (opts.readOnly) msg.ro = 1; // BEP 43
  if (opts.version) msg.v = opts.version;
  return encode(msg);
}

export function encodeResponse(t: Buffer, body: ResponseBody, opts: { ip?: PeerAddress; version?: Buffer } = {}): Buffer {
  const r: Record<string, BInput> = { id: body.id };
  if (body.nodes) r.nodes = encodeNodes(body.nodes);
  if (body.nodes6) r.nodes6 = encodeNodes(body.nodes6);
  if (body.token) r.token = body.token;
  if (body.values) r.values = body.values.map(encodePeer);
  const msg: Record<string, BInput> = { t, y: 'r', r };
  if (opts.ip) msg.ip = encodePeer(opts.ip); // BEP 42: tell the querier the address we saw
  if (opts.version) msg.v = opts.version;
  return encode(msg);
}

export function encodeError(t: Buffer, code: number, message: string): Buffer {
  return encode({ t, y: 'e', e: [code, message] });
}
