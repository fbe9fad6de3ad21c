/**
 * The tracker a seeding file server runs on its own HTTP port: `GET /announce` (BEP 3, compact peers BEP 23,
 * peers6 BEP 7) over the tracker's core and a memory store, for the torrents this server made and no others. Clients
 * of one file find each other (and the server's own peer) with no other infrastructure.
 */
import { encodeCompactPeer } from '../tracker/compact.js';
import { encodeAnnounceReply, encodeFailure, parseAnnounceQuery } from '../tracker/http-codec.js';
import { AccessControl } from '../tracker/server/access.js';
import { TrackerCore } from '../tracker/server/core.js';
import { answerHttpAnnounce } from '../tracker/server/http-announce.js';
import { MemoryStore } from '../tracker/store/index.js';
import { SERVER_DEFAULTS } from '../tracker/index.js';
import type { Reply, RequestInfo } from '../http/index.js';
import { SEED_DEFAULTS } from './defaults.js';

/** The path the tracker answers on; a served file of that name at the root is shadowed while seeding. */
export const ANNOUNCE_PATH = '/announce';

export class MountedTracker {
  private readonly store = new MemoryStore({
    maxTorrents: SEED_DEFAULTS.maxSeededTorrents * 4,
    maxPeersPerTorrent: 10_000,
    maxPeersTotal: 100_000,
    peerTtlMs: SEED_DEFAULTS.peerTtlMs,
  });
  private readonly core = new TrackerCore(this.store, new AccessControl(), {
    announceIntervalS: SEED_DEFAULTS.announceIntervalS,
    minAnnounceIntervalS: SEED_DEFAULTS.minAnnounceIntervalS,
    maxNumwant: SERVER_DEFAULTS.maxNumwant,
    defaultNumwant: SERVER_DEFAULTS.defaultNumwant,
  });
  private sweepTimer?: NodeJS.Timeout;

  /**
   * `ownPeer(infoHash)` is the server's own peer for one of its torrents (undefined: not one of ours). It is put
   * first in every answer, at the address the asking client reached this server on, so it needs no announce of its
   * own and is right whichever interface the client came in by.
   */
  constructor(private readonly ownPeer: (infoHash: Buffer) => { peerId: Buffer; port: number } | undefined) {}

  start(): void {
    this.sweepTimer = setInterval(() => void this.store.sweep(Date.now()).catch(() => undefined), SEED_DEFAULTS.sweepEveryMs);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.store.close();
  }

  /** Answers `/announce`; anything else passes on to the file server (undefined). */
  async route(req: RequestInfo): Promise<Reply | undefined> {
    const q = req.target.indexOf('?');
    const path = q < 0 ? req.target : req.target.slice(0, q);
    if (path !== ANNOUNCE_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined;
    let body: Buffer;
    try {
      body = await this.announce(q < 0 ? '' : req.target.slice(q + 1), unmap(req.remoteAddress ?? ''), unmap(req.localAddress ?? ''));
    } catch (err) {
      // BEP 3: a refusal is a 200 with a bencoded `failure reason`; internal details stay here.
      body = encodeFailure(this.core.describe(err).message);
    }
    const headers = { 'content-type': 'text/plain', 'content-length': String(body.length), 'cache-control': 'no-store' };
    return { status: 200, headers, body: req.method === 'HEAD' ? { kind: 'none' } : { kind: 'bytes', data: body } };
  }

  private async announce(query: string, remote: string, local: string): Promise<Buffer> {
    const cfg = this.core.config;
    const ann = parseAnnounceQuery(query, cfg.defaultNumwant, cfg.maxNumwant);
    const own = this.ownPeer(ann.infoHash);
    if (!own) return encodeFailure('this tracker only tracks the files this server seeds');
    const addr = encodeCompactPeer(remote, ann.port);
    if (!addr) return encodeFailure('cannot tell your address');
    const reply = await answerHttpAnnounce(this.core, ann, addr, undefined);
    reply.complete += 1; // the server's own peer, a seed that never announces
    const self = encodeCompactPeer(local, own.port);
    if (self && ann.event !== 'stopped' && !ann.peerId.equals(own.peerId)) {
      const v4 = self.length === 6;
      if (v4) reply.v4 = Buffer.concat([self, reply.v4]);
      else reply.v6 = Buffer.concat([self, reply.v6]);
      if (v4 && reply.v4Ids) reply.v4Ids = [own.peerId, ...reply.v4Ids];
      if (!v4 && reply.v6Ids) reply.v6Ids = [own.peerId, ...reply.v6Ids];
    }
    return encodeAnnounceReply(reply, ann.compact, ann.noPeerId);
  }
}

/** A dual-stack socket reports IPv4 addresses as ::ffff:a.b.c.d; the compact form wants the IPv4 address. */
function unmap(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}
