import {
  Bitfield,
  decodeExtendedHandshake,
  encodeExtendedHandshake,
  EXTENDED_HANDSHAKE_ID,
  LOCAL_EXTENSIONS,
  WireError,
  type Message,
} from '../wire/index.js';
import { addressKey } from './address.js';
import { pieceArrived } from './seed-suggest.js';
import { allowedFastNetwork, allowedFastSet, MAX_ALLOWED_FAST_IN, MAX_SUGGESTED_IN } from './bep6-allowed-fast.js';
import type { Peer } from './peer.js';
import type { SwarmContext } from './swarm-context.js';
import { tracePiece } from '../util/piece-trace.js';

const YOURIP_V4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/** The first messages after the handshake: our BEP 10 handshake, then what we have (BEP 3 bitfield or BEP 6). */
export function greet(t: SwarmContext, peer: Peer): void {
  peer.conn.cork();
  if (peer.conn.remote?.extended) {
    const m = YOURIP_V4.exec(peer.remoteHost);
    peer.conn.send({
      type: 'extended',
      id: EXTENDED_HANDSHAKE_ID,
      payload: encodeExtendedHandshake({
        m: new Map(Object.entries(LOCAL_EXTENSIONS)),
        v: t.init.clientName ?? 'tandem 0.1',
        reqq: t.config.maxIncomingRequests,
        yourip: m ? Buffer.from(m.slice(1, 5).map(Number)) : undefined,
        p: t.listenPort || undefined,
        metadataSize: t.meta?.infoBytes.length,
      }),
    });
  }
  sendHave(t, peer);
  grantAllowedFast(t, peer);
  peer.conn.uncork();
}

/**
 * BEP 6: tells a fast-extension peer which pieces it may fetch while we choke it (its canonical allowed-fast set),
 * naming those we have; the rest of the set is honoured too once we have them. Once per peer, when metadata is known.
 */
function grantAllowedFast(t: SwarmContext, peer: Peer): void {
  if (!peer.fast || !t.meta || peer.allowedFastOut.size > 0) return;
  // Every peer of one /24 has the same set: granted to all of them, the seed sends those pieces again and again
  // (issue 13 measured 0.46 of a copy at N = 16). A few peers per network bootstrap with it; the rest trade.
  const network = allowedFastNetwork(peer.remoteHost);
  if (network === undefined) return;
  const granted = t.allowedFastGrants.get(network) ?? 0;
  if (granted >= t.config.allowedFastPeersPerNetwork) return;
  t.allowedFastGrants.set(network, granted + 1);
  for (const index of allowedFastSet(peer.remoteHost, t.infoHash, t.meta.pieceCount, t.config.allowedFastPieces)) {
    peer.allowedFastOut.add(index);
    if (t.picker?.have.has(index)) peer.conn.send({ type: 'allowedFast', index });
  }
}

/** A peer that held our allowed-fast set left: another of its network may be granted it. */
export function releaseAllowedFast(t: SwarmContext, peer: Peer): void {
  const network = peer.allowedFastOut.size > 0 ? allowedFastNetwork(peer.remoteHost) : undefined;
  const n = network === undefined ? 0 : (t.allowedFastGrants.get(network) ?? 0);
  if (n > 1) t.allowedFastGrants.set(network!, n - 1);
  else if (network !== undefined) t.allowedFastGrants.delete(network);
}

function sendHave(t: SwarmContext, peer: Peer): void {
  const have = t.picker?.have;
  if (peer.fast && (!have || have.count === 0)) peer.conn.send({ type: 'haveNone' });
  else if (peer.fast && have?.complete) peer.conn.send({ type: 'haveAll' });
  else if (have && have.count > 0) peer.conn.send({ type: 'bitfield', bytes: have.bytes });
}

/** Once metadata is known, a peer's early bitfield becomes real (BEP 9 magnets), and we tell it what we have. */
export function settlePieces(t: SwarmContext, peer: Peer): void {
  const n = t.meta!.pieceCount;
  peer.conn.setPieceCount(n);
  if (peer.rawBitfield) {
    if (peer.rawBitfield.length !== Bitfield.byteLength(n) || !Bitfield.spareBitsClear(peer.rawBitfield, n)) {
      return peer.conn.close(`WIRE_BAD_LENGTH: bitfield of ${peer.rawBitfield.length} bytes for ${n} pieces`);
    }
    setPieces(t, peer, new Bitfield(n, peer.rawBitfield));
    peer.rawBitfield = undefined;
  } else if (peer.haveNoneBeforeMetadata) setPieces(t, peer, new Bitfield(n));
  grantAllowedFast(t, peer);
  t.downloader.updateInterest(peer);
}

function setPieces(t: SwarmContext, peer: Peer, pieces: Bitfield | 'all'): void {
  if (peer.pieces) t.picker?.removePeer(peer.pieces);
  peer.pieces = pieces;
  t.picker?.addPeer(pieces);
  if (peer.isSeed() && t.isDone && t.picker?.have.complete) return peer.conn.close('both seeds');
  t.downloader.updateInterest(peer);
}

/** Dispatches one decoded message from a peer. */
export function handleMessage(t: SwarmContext, peer: Peer, m: Message): void {
  switch (m.type) {
    case 'keepAlive':
      return;
    case 'choke':
      peer.peerChoking = true;
      // BEP 3: a choke discards our requests; BEP 6 peers reject them explicitly, which lands in the same place.
      t.requester?.releasePeer(peer.key);
      for (const other of t.peers.values()) if (other !== peer) t.downloader.requestMore(other);
      // BEP 6: its allowed-fast pieces may still be asked of it.
      return t.downloader.requestMore(peer);
    case 'unchoke':
      peer.peerChoking = false;
      return t.downloader.requestSoon(peer);
    case 'interested':
      peer.peerInterested = true;
      return t.choker.onInterested(peer);
    case 'notInterested':
      peer.peerInterested = false;
      return t.choker.onSlotFreed(peer);
    case 'have':
      tracePiece('have-received', m.index, peer.remoteHost);
      return onHave(t, peer, m.index);
    case 'bitfield':
      if (!t.meta) peer.rawBitfield = Buffer.from(m.bytes);
      else setPieces(t, peer, new Bitfield(t.meta.pieceCount, m.bytes));
      return;
    case 'haveAll':
      if (!t.meta) peer.pieces = 'all';
      return setPieces(t, peer, 'all');
    case 'haveNone':
      if (!t.meta) peer.haveNoneBeforeMetadata = true;
      else setPieces(t, peer, new Bitfield(t.meta.pieceCount));
      return;
    case 'request':
      return t.uploader.onRequest(peer, m);
    case 'cancel':
      return t.uploader.onCancel(peer, m);
    case 'piece':
      return t.downloader.onBlock(peer, m.index, m.begin, m.block);
    case 'reject':
      t.requester?.release(peer.key, m.index, m.begin);
      return t.downloader.requestMore(peer);
    case 'port':
      t.dhtPort(peer, m.port);
      return;
    case 'suggest':
      // BEP 6: a hint of what the peer would rather send (a seed spreading its pieces); kept bounded, oldest out.
      if (!t.meta || m.index >= t.meta.pieceCount || peer.suggestedIn.includes(m.index)) return;
      if (peer.suggestedIn.length >= MAX_SUGGESTED_IN) peer.suggestedIn.shift();
      peer.suggestedIn.push(m.index);
      return t.downloader.requestSoon(peer);
    case 'allowedFast':
      // BEP 6: pieces we may fetch while choked. Bounded, so a peer cannot grow the set without end.
      if (peer.allowedFastIn.size < MAX_ALLOWED_FAST_IN) peer.allowedFastIn.add(m.index);
      return t.downloader.requestSoon(peer);
    case 'extended':
      return onExtended(t, peer, m.id, m.payload);
  }
}

function onHave(t: SwarmContext, peer: Peer, index: number): void {
  if (!t.meta) {
    // Before metadata the piece count is unknown: remember a have as a bit in a growing raw bitfield.
    if (index >= 8 * 1024 * 1024) return peer.conn.close('WIRE_BAD_VALUE: have index out of range');
    const bytes = Math.max(peer.rawBitfield?.length ?? 0, (index >> 3) + 1);
    const raw = Buffer.alloc(bytes);
    peer.rawBitfield?.copy(raw);
    raw[index >> 3]! |= 0x80 >> (index & 7);
    peer.rawBitfield = raw;
    return;
  }
  if (peer.pieces === 'all') return;
  if (!peer.pieces) setPieces(t, peer, new Bitfield(t.meta.pieceCount));
  const bits = peer.pieces as Bitfield;
  if (bits.has(index)) return;
  bits.set(index);
  t.picker!.peerHave(index);
  pieceArrived(t, peer, index);
  if (!peer.amInterested && t.picker!.wanted(index)) t.downloader.updateInterest(peer);
  else if (peer.amInterested) t.downloader.requestMore(peer);
  if (bits.complete && t.isDone && t.picker!.have.complete) peer.conn.close('both seeds');
}

function onExtended(t: SwarmContext, peer: Peer, id: number, payload: Buffer): void {
  if (id === EXTENDED_HANDSHAKE_ID) {
    peer.ext = decodeExtendedHandshake(payload);
    if (!peer.listenAddress && peer.ext.p) {
      peer.listenAddress = { host: peer.remoteHost, port: peer.ext.p };
      if (t.banned.has(addressKey(peer.listenAddress))) return peer.conn.close('banned');
    }
    return t.metadata.onPeerHandshake(peer);
  }
  if (id === LOCAL_EXTENSIONS.ut_metadata) return t.metadata.onMessage(peer, payload);
  if (id === LOCAL_EXTENSIONS.ut_pex) return t.metadata.onPex(peer, payload);
  throw new WireError('WIRE_UNKNOWN_ID', `extended message id ${id} was never offered`);
}
