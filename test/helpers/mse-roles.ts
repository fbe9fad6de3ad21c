import { req2Hash, type MseInitiator, type MseResponder, type MseResult, type RandomBytes } from '../../src/mse/index.js';
import { xorshift } from './rng.js';

/** A seeded byte source, so a recorded handshake replays exactly. */
export function seeded(seed: number): RandomBytes {
  const next = xorshift(seed);
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = next() & 0xff;
    return out;
  };
}

/** What each side sends in one honest handshake (both made with fixed randomness, so it replays). */
export function transcriptOf(init: MseInitiator, resp: MseResponder): { toResponder: Buffer; toInitiator: Buffer } {
  const a1 = init.start();
  const b2 = Buffer.concat(resp.receive(a1).send);
  const a3 = Buffer.concat(init.receive(b2).send);
  const b4 = Buffer.concat(resp.receive(a3).send);
  if (!init.receive(b4).done) throw new Error('the honest handshake did not finish');
  return { toResponder: Buffer.concat([a1, a3]), toInitiator: Buffer.concat([b2, b4]) };
}

/** The responder's lookup from HASH('req2', SKEY) to the info hash, over a list of torrents. */
export function registry(hashes: Buffer[]): (req2: Buffer) => Buffer | undefined {
  const byReq2 = new Map(hashes.map((h) => [req2Hash(h).toString('hex'), h]));
  return (req2) => byReq2.get(req2.toString('hex'));
}

/** Runs both roles against each other in memory, delivering bytes in chunks of at most `chunk`. */
export function converse(init: MseInitiator, resp: MseResponder, chunk = Infinity): { i: MseResult; r: MseResult } {
  let toResp = [init.start()];
  let i: MseResult | undefined;
  let r: MseResult | undefined;
  for (let round = 0; round < 10 && !(i && r); round++) {
    const toInit: Buffer[] = [];
    for (const piece of split(toResp, chunk)) {
      const step = resp.receive(piece);
      toInit.push(...step.send);
      r ??= step.done;
    }
    toResp = [];
    for (const piece of split(toInit, chunk)) {
      const step = init.receive(piece);
      toResp.push(...step.send);
      i ??= step.done;
    }
  }
  if (!i || !r) throw new Error('handshake did not finish in 10 rounds');
  return { i, r };
}

function split(buffers: Buffer[], chunk: number): Buffer[] {
  const all = Buffer.concat(buffers);
  const out: Buffer[] = [];
  for (let o = 0; o < all.length; o += chunk === Infinity ? all.length : chunk) out.push(Buffer.from(all.subarray(o, o + (chunk === Infinity ? all.length : chunk))));
  return out;
}
