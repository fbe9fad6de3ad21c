// What both transports share: access checks, the store call, and the counters behind /metrics. The HTTP and UDP
// servers only decode their requests into this shape and encode what comes back.
import { SERVER_DEFAULTS } from '../defaults.js';
import { TrackerError } from '../errors.js';
import type { StoreAnnounce, StoreAnnounceResult, StoreScrape, SwarmStore } from '../store/store.js';
import type { AnnounceEvent } from '../types.js';
import type { AccessControl } from './access.js';

export interface CoreAnnounce {
  infoHash: Buffer;
  peerId: Buffer;
  /** The compact address (6 or 18 bytes) built from the packet's source address and the announced port. */
  addr: Buffer;
  left: number;
  event: AnnounceEvent;
  numwant: number;
  families: 'v4' | 'v6' | 'both';
  passkey: string | undefined;
  withPeerIds?: boolean;
}

export type Transport = 'http' | 'udp';

export interface CoreConfig {
  announceIntervalS: number;
  minAnnounceIntervalS: number;
  maxNumwant: number;
  defaultNumwant: number;
}

/** Counters for /metrics; plain numbers, bumped inline. */
export class Counters {
  announces = { http: 0, udp: 0 };
  scrapes = { http: 0, udp: 0 };
  connects = 0;
  rateLimited = { http: 0, udp: 0 };
  errors = new Map<string, number>();

  error(code: string): void {
    // The code set is closed (TrackerErrorCode plus 'INTERNAL'), so this map stays small.
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }
}

export class TrackerCore {
  readonly counters = new Counters();

  constructor(
    readonly store: SwarmStore,
    readonly access: AccessControl,
    readonly config: CoreConfig = {
      announceIntervalS: SERVER_DEFAULTS.announceIntervalS,
      minAnnounceIntervalS: SERVER_DEFAULTS.minAnnounceIntervalS,
      maxNumwant: SERVER_DEFAULTS.maxNumwant,
      defaultNumwant: SERVER_DEFAULTS.defaultNumwant,
    },
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an announce; answered at once (no promise) when the store can (`SwarmStore.announceNow`). */
  announce(a: CoreAnnounce, transport: Transport): StoreAnnounceResult | Promise<StoreAnnounceResult> {
    this.access.check(a.infoHash, a.passkey);
    const request: StoreAnnounce = {
      infoHash: a.infoHash,
      peerId: a.peerId,
      addr: a.addr,
      seeder: a.left === 0,
      event: a.event,
      numwant: Math.max(0, Math.min(a.numwant, this.config.maxNumwant)),
      families: a.families,
      nowMs: this.now(),
      withPeerIds: a.withPeerIds ?? false,
    };
    if (this.store.announceNow) {
      let result: StoreAnnounceResult;
      try {
        result = this.store.announceNow(request);
      } catch (err) {
        throw storeError(err);
      }
      this.counters.announces[transport]++;
      return result;
    }
    return this.storeCall(() => this.store.announce(request)).then((result) => {
      this.counters.announces[transport]++;
      return result;
    });
  }

  async scrape(infoHashes: Buffer[], passkey: string | undefined, transport: Transport): Promise<StoreScrape[]> {
    for (const h of infoHashes) this.access.check(h, passkey);
    const result = await this.storeCall(() => this.store.scrape(infoHashes));
    this.counters.scrapes[transport]++;
    return result;
  }

  private async storeCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw storeError(err);
    }
  }

  /** The code to count for an error, and the text to send: internal details never go out on the wire. */
  describe(err: unknown): { code: string; message: string } {
    if (err instanceof TrackerError) return { code: err.code, message: err.kind === 'input' || err.code === 'TRACKER_FULL' ? err.message : 'tracker is unavailable, try later' };
    return { code: 'INTERNAL', message: 'internal tracker error' };
  }
}

/** A store's failure as the tracker reports it: its own typed errors pass, anything else becomes TRACKER_STORE. */
function storeError(err: unknown): TrackerError {
  if (err instanceof TrackerError) return err;
  return new TrackerError('TRACKER_STORE', `swarm store failed: ${(err as Error).message}`, 'runtime', { cause: err });
}
