// BEP 15 connection ids, issued without keeping state per client: the id is a keyed hash (HMAC-SHA256) of the
// client's address and the current minute, so a spoofed source address never learns a valid id. The hashes of
// recent addresses are cached per minute (bounded), since an HMAC per packet is a visible share of the work.
import { createHmac, randomBytes } from 'node:crypto';

const WINDOW_MS = 60_000;
const MAX_CACHED_PER_WINDOW = 65_536;

export class ConnectionIds {
  private readonly secret = randomBytes(32);
  /** How many past windows are still accepted. */
  private readonly windows: number;
  private readonly cache = new Map<number, Map<string, bigint>>();

  /** BEP 15: a tracker should accept a connection id until two minutes after sending it. */
  constructor(ttlMs: number) {
    this.windows = Math.ceil(ttlMs / WINDOW_MS);
  }

  issue(address: string, nowMs: number): bigint {
    return this.idFor(address, Math.floor(nowMs / WINDOW_MS));
  }

  /** Accepts ids from the current window and the `windows` before it: at least `ttlMs` of validity. */
  check(id: bigint, address: string, nowMs: number): boolean {
    const w = Math.floor(nowMs / WINDOW_MS);
    for (let k = 0; k <= this.windows; k++) if (this.idFor(address, w - k) === id) return true;
    return false;
  }

  private idFor(address: string, window: number): bigint {
    let perWindow = this.cache.get(window);
    if (!perWindow) {
      for (const old of this.cache.keys()) if (old < window - this.windows || old > window + 1) this.cache.delete(old);
      perWindow = new Map();
      this.cache.set(window, perWindow);
    }
    let id = perWindow.get(address);
    if (id === undefined) {
      id = createHmac('sha256', this.secret).update(`${window}|${address}`).digest().readBigUInt64BE(0);
      if (perWindow.size >= MAX_CACHED_PER_WINDOW) perWindow.clear();
      perWindow.set(address, id);
    }
    return id;
  }
}
