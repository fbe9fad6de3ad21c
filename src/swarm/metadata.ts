import { createHash } from 'node:crypto';
import { decode, isDict } from '../bencode/index.js';
import { parseInfo } from '../metainfo/index.js';
import {
  decodeMetadataMessage,
  decodePex,
  encodeMetadataMessage,
  encodePex,
  metadataPieceCount,
  METADATA_PIECE_BYTES,
  MAX_METADATA_BYTES,
  type PeerAddress,
} from '../wire/index.js';
import { addressKey } from './address.js';
import { SwarmError } from './errors.js';
import { settlePieces } from './handlers.js';
import type { Peer } from './peer.js';
import type { SwarmContext } from './swarm-context.js';

/**
 * BEP 9 both ways (fetch the info dictionary from peers for a magnet link, verify it against the info hash; serve
 * ours to others) and BEP 11 PEX both ways.
 */
export class MetadataFetcher {
  private size?: number;
  private pieces: (Buffer | undefined)[] = [];
  /** Metadata piece → [peer key, sent at]. */
  private readonly asked = new Map<number, [string, number]>();
  private busy = false;

  constructor(private readonly t: SwarmContext) {}

  onPeerHandshake(peer: Peer): void {
    if (this.t.meta) return;
    const size = peer.ext?.metadataSize;
    if (!size || !peer.extId('ut_metadata') || size > MAX_METADATA_BYTES) return;
    if (this.size === undefined) {
      this.size = size;
      this.pieces = new Array<Buffer | undefined>(metadataPieceCount(size)).fill(undefined);
    }
    if (size === this.size) this.askMore();
  }

  /** Asks every metadata-capable peer for pieces nobody is fetching. */
  private askMore(): void {
    if (this.t.meta || this.size === undefined) return;
    const peers = [...this.t.peers.values()].filter((p) => p.extId('ut_metadata') && p.ext?.metadataSize === this.size);
    if (peers.length === 0) return;
    let turn = 0;
    for (let i = 0; i < this.pieces.length; i++) {
      if (this.pieces[i] || this.asked.has(i)) continue;
      const peer = peers[turn++ % peers.length]!;
      this.asked.set(i, [peer.key, Date.now()]);
      peer.conn.send({ type: 'extended', id: peer.extId('ut_metadata')!, payload: encodeMetadataMessage({ type: 'request', piece: i }) });
    }
  }

  onMessage(peer: Peer, payload: Buffer): void {
    const m = decodeMetadataMessage(payload);
    const t = this.t;
    if (m.type === 'request') {
      const id = peer.extId('ut_metadata');
      if (!id) return;
      const info = t.meta?.infoBytes;
      if (!info || m.piece >= metadataPieceCount(info.length)) {
        peer.conn.send({ type: 'extended', id, payload: encodeMetadataMessage({ type: 'reject', piece: m.piece }) });
        return;
      }
      const data = info.subarray(m.piece * METADATA_PIECE_BYTES, (m.piece + 1) * METADATA_PIECE_BYTES);
      peer.conn.send({ type: 'extended', id, payload: encodeMetadataMessage({ type: 'data', piece: m.piece, totalSize: info.length, data }) });
      return;
    }
    if (t.meta || this.size === undefined) return;
    const asked = this.asked.get(m.piece);
    if (!asked || asked[0] !== peer.key) return;
    this.asked.delete(m.piece);
    if (m.type === 'reject') return void setTimeout(() => this.askMore(), 1000).unref();
    if (m.totalSize !== this.size) return peer.conn.close('ut_metadata: total_size differs from its handshake');
    this.pieces[m.piece] = Buffer.from(m.data);
    if (this.pieces.every(Boolean)) void this.complete();
  }

  private async complete(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const t = this.t;
    const bytes = Buffer.concat(this.pieces as Buffer[]);
    this.pieces = this.pieces.map(() => undefined);
    this.asked.clear();
    this.busy = false;
    // BEP 9: the metadata is the info dictionary whose SHA-1 is the info hash; anything else is dropped.
    if (!createHash('sha1').update(bytes).digest().equals(t.infoHash)) {
      t.warn('metadata from peers did not match the info hash; fetching again');
      this.askMore();
      return;
    }
    let meta;
    try {
      const info = decode(bytes);
      if (!isDict(info)) throw new Error('not a dictionary');
      meta = parseInfo(bytes, info, undefined, false);
    } catch (err) {
      t.fail(new SwarmError('SWARM_METADATA', `metadata matches the info hash but does not parse: ${(err as Error).message}`, 'input', { cause: err }));
      return;
    }
    try {
      await t.setMetadata(meta, true);
    } catch (err) {
      t.fail(err as Error);
    }
  }

  /** After metadata: the peer's early bitfield is checked and used. */
  adoptPeer(peer: Peer): void {
    settlePieces(this.t, peer);
  }

  peerGone(peer: Peer): void {
    for (const [i, [key]] of this.asked) if (key === peer.key) this.asked.delete(i);
    this.askMore();
  }

  tick(now: number): void {
    if (this.t.meta) return;
    for (const [i, [key, at]] of this.asked) {
      if (now - at > this.t.config.metadataRequestTimeoutMs) {
        this.asked.delete(i);
        void key;
      }
    }
    this.askMore();
  }

  onPex(_peer: Peer, payload: Buffer): void {
    const m = decodePex(payload);
    this.t.addPeers(m.added);
  }

  /** BEP 11: tell a peer about the others we are connected to; only changes after the first message. */
  sendPex(peer: Peer, listed: PeerAddress[]): void {
    const id = peer.extId('ut_pex');
    if (!id || this.t.meta?.private) return;
    const now = new Map(listed.filter((a) => !peer.listenAddress || addressKey(a) !== addressKey(peer.listenAddress)).map((a) => [addressKey(a), a]));
    const added = [...now].filter(([k]) => !peer.pexSent.has(k)).map(([, a]) => a);
    const dropped = [...peer.pexSent].filter((k) => !now.has(k));
    if (added.length === 0 && dropped.length === 0) return;
    const droppedAddresses = dropped.map((k) => parseKey(k)).filter((a): a is PeerAddress => a !== undefined);
    peer.pexSent = new Set(now.keys());
    peer.conn.send({ type: 'extended', id, payload: encodePex({ added, dropped: droppedAddresses }) });
  }
}

function parseKey(key: string): PeerAddress | undefined {
  const m = /^\[(.+)\]:(\d+)$/.exec(key) ?? /^(.+):(\d+)$/.exec(key);
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}

