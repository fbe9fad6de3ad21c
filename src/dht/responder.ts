/**
 * What the node answers to each query (BEP 5, with BEP 32's `want`). A function of the query and the node's
 * state, with no I/O: the node sends what this returns.
 */
import type { Contact, Family, PeerAddress } from './compact.js';
import { KRPC_ERROR, type KrpcQuery, type ResponseBody } from './krpc.js';
import type { NodeId } from './node-id.js';
import type { PeerStore } from './peer-store.js';
import type { RoutingTable } from './routing-table.js';
import type { TokenPolicy } from './tokens.js';

export interface ResponderContext {
  ownId: NodeId;
  /** The family of the socket the query came in on. */
  family: Family;
  tables: Partial<Record<Family, RoutingTable>>;
  tokens: TokenPolicy;
  peers: PeerStore;
  bucketSize: number;
  maxValuesPerResponse: number;
  nowMs: number;
}

export type Answer = { kind: 'response'; body: ResponseBody } | { kind: 'error'; code: number; message: string };

export function answerQuery(q: KrpcQuery, from: PeerAddress, ctx: ResponderContext): Answer {
  switch (q.q) {
    case 'ping':
      return { kind: 'response', body: { id: ctx.ownId } };
    case 'find_node':
      return { kind: 'response', body: { id: ctx.ownId, ...closestNodes(q.target, q.want, ctx) } };
    case 'get_peers': {
      // BEP 5: a token always; values when we know peers, otherwise the closest nodes. We give the nodes as
      // well, as libtorrent does, so a lookup that meets a storing node early still converges on the closest.
      const body: ResponseBody = { id: ctx.ownId, token: ctx.tokens.issue(from.host, ctx.nowMs), ...closestNodes(q.infoHash, q.want, ctx) };
      const values = ctx.peers.get(q.infoHash, ctx.family, ctx.maxValuesPerResponse, ctx.nowMs);
      if (values.length > 0) body.values = values;
      return { kind: 'response', body };
    }
    case 'announce_peer': {
      if (!ctx.tokens.verify(from.host, q.token, ctx.nowMs)) return { kind: 'error', code: KRPC_ERROR.protocol, message: 'bad token' };
      // BEP 5: with implied_port the peer's port is the UDP source port (it is behind a NAT, probably uTP).
      ctx.peers.add(q.infoHash, { host: from.host, port: q.impliedPort ? from.port : q.port }, ctx.nowMs);
      return { kind: 'response', body: { id: ctx.ownId } };
    }
    case 'unknown':
      return { kind: 'error', code: KRPC_ERROR.methodUnknown, message: `method unknown: ${q.method.slice(0, 32)}` };
  }
}

function closestNodes(target: Buffer, want: Family[] | undefined, ctx: ResponderContext): { nodes?: Contact[]; nodes6?: Contact[] } {
  const families = want && want.length > 0 ? want : [ctx.family];
  const out: { nodes?: Contact[]; nodes6?: Contact[] } = {};
  for (const f of families) {
    const table = ctx.tables[f];
    if (!table) continue;
    const nodes = table.closest(target, ctx.bucketSize, ctx.nowMs).map(({ id, host, port }) => ({ id, host, port }));
    if (f === 4) out.nodes = nodes;
    else out.nodes6 = nodes;
  }
  // BEP 5 find_node/get_peers responses carry "nodes"; keep the key present (empty) for our own family.
  if (ctx.family === 4 && !out.nodes && !out.nodes6) out.nodes = [];
  return out;
}
