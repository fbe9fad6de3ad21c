// BEP 15 connection ids, issued without keeping state: the id is a keyed hash of the client's address and the
// current minute, so a spoofed source address never learns a valid id and the server remembers nothing per client.
import { createHmac, randomBytes } from 'node:crypto';

const WINDOW_MS = 60_000;

export class ConnectionIds {
  private readonly secret = randomBytes(32);
  /** How many past windows are still accepted. */
  private readonly windows: number;

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
    return createHmac('sha256', this.secret).update(`${window}|${address}`).digest().readBigUInt64BE(0);
  }
}
