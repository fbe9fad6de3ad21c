import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, MseError, MseInitiator, MseResponder, selectFor, type MseHandshake, type MseStep } from '../../src/mse/index.js';
import { encodeHandshake } from '../../src/wire/index.js';
import { mutate, randomBytes, xorshift } from '../fuzz/mutate.js';
import { registry, seeded, transcriptOf } from '../helpers/mse-roles.js';

const INFO = Buffer.alloc(20, 0x42);
const OTHER = Buffer.alloc(20, 0x43);
const IA = encodeHandshake({ infoHash: INFO, peerId: Buffer.alloc(20, 1), extended: true, fast: true, dht: true });
// The most a responder may buffer before it must decide: Ya, PadA + req1, req2^req3 and step 3's head, PadC, IA.
const RESPONDER_BOUND = 96 + 532 + 34 + 514 + 0xffff;

const responder = (seed: number): MseResponder => new MseResponder({ findInfoHash: registry([OTHER, INFO]), select: (p) => selectFor('allow', p), random: seeded(seed) });
const initiator = (seed: number, provide: number, ia?: Buffer): MseInitiator => new MseInitiator({ infoHash: INFO, provide, initialPayload: ia, random: seeded(seed) });

/** Feeds bytes in chunks; returns how it ended. Anything thrown but an MseError fails the property. */
function feed(h: MseHandshake, bytes: Buffer, chunk: number): 'error' | 'done' | 'waiting' {
  try {
    for (let o = 0; o < bytes.length; o += chunk) {
      const step: MseStep = h.receive(Buffer.from(bytes.subarray(o, o + chunk)));
      if (step.done) return 'done';
    }
    return 'waiting';
  } catch (err) {
    assert.ok(err instanceof MseError, `unexpected ${(err as Error).stack}`);
    return 'error';
  }
}

/** Records what each side sends in one honest handshake with fixed randomness. */
function transcript(provide: number, ia: Buffer | undefined): { toResponder: Buffer; toInitiator: Buffer } {
  return transcriptOf(initiator(7, provide, ia), responder(9));
}

test('fuzz: random bytes never make the responder throw anything but MseError, and it gives up within the bounded window', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1400 }), fc.integer({ min: 1, max: 300 }), fc.integer(), (bytes, chunk, seed) => {
      const end = feed(responder(seed), Buffer.from(bytes), chunk);
      assert.notEqual(end, 'done');
      // Ya plus 532 bytes without HASH('req1', S) is the spec's sync window: past it the responder must have given up.
      if (bytes.length >= 96 + 532) assert.equal(end, 'error');
    }),
    { numRuns: 400 },
  );
});

test('fuzz: random bytes never make the initiator throw anything but MseError, and it gives up within the bounded window', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1200 }), fc.integer({ min: 1, max: 300 }), fc.integer(), (bytes, chunk, seed) => {
      const init = initiator(seed, CRYPTO_PLAINTEXT | CRYPTO_RC4, IA);
      init.start();
      const end = feed(init, Buffer.from(bytes), chunk);
      assert.notEqual(end, 'done');
      if (bytes.length >= 96 + 520) assert.equal(end, 'error');
    }),
    { numRuns: 400 },
  );
});

/** A transcript through the shared mutator, with up to 600 random bytes after it (past the bounded windows). */
const mutation = fc.integer();
function mutated(seed: Buffer, rngSeed: number): Buffer {
  const next = xorshift(rngSeed);
  return Buffer.concat([mutate(seed, next, [], 6), randomBytes(next, next() % 600)]);
}

for (const [provide, ia] of [
  [CRYPTO_PLAINTEXT | CRYPTO_RC4, IA],
  [CRYPTO_RC4, undefined],
] as const) {
  const name = `provide 0x${provide.toString(16)}, ${ia ? 'IA' : 'no IA'}`;
  const { toResponder, toInitiator } = transcript(provide, ia);

  test(`fuzz: a mutated initiator transcript (${name}) gives the responder an MseError or an outcome, with bounded buffering`, () => {
    // The unmutated transcript completes, so mutations reach every state of the responder.
    assert.equal(feed(responder(9), toResponder, 13), 'done');
    fc.assert(
      fc.property(mutation, fc.integer({ min: 1, max: 200 }), (m, chunk) => {
        const bytes = mutated(toResponder, m);
        const end = feed(responder(9), bytes, chunk);
        if (end === 'waiting') assert.ok(bytes.length < RESPONDER_BOUND);
      }),
      { numRuns: 1500 },
    );
  });

  test(`fuzz: a mutated responder transcript (${name}) gives the initiator an MseError or an outcome`, () => {
    const fresh = (): MseInitiator => {
      const init = initiator(7, provide, ia);
      init.start();
      return init;
    };
    assert.equal(feed(fresh(), toInitiator, 13), 'done');
    fc.assert(
      fc.property(mutation, fc.integer({ min: 1, max: 200 }), (m, chunk) => {
        const bytes = mutated(toInitiator, m);
        const end = feed(fresh(), bytes, chunk);
        // Yb, PadB, step 4's 14 bytes and PadD: past that the initiator has decided one way or the other.
        if (bytes.length >= 96 + 520 + 6 + 512) assert.notEqual(end, 'waiting');
      }),
      { numRuns: 1500 },
    );
  });
}

test('fuzz: a crypto_select the initiator did not offer (or none, or several bits) is a typed error', () => {
  for (const select of [0, 3, CRYPTO_RC4, 0xffffffff]) {
    const init = initiator(1, CRYPTO_PLAINTEXT);
    const resp = new MseResponder({ findInfoHash: registry([INFO]), select: () => select, random: seeded(2) });
    const b2 = Buffer.concat(resp.receive(init.start()).send);
    const a3 = Buffer.concat(init.receive(b2).send);
    try {
      init.receive(Buffer.concat(resp.receive(a3).send));
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof MseError && ['MSE_BAD_SELECT', 'MSE_NO_COMMON_METHOD'].includes(err.code), String(err));
    }
  }
});
