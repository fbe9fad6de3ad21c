import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  cipherPair,
  CRYPTO_PLAINTEXT,
  CRYPTO_RC4,
  DH_PRIME,
  MseError,
  MseInitiator,
  MseResponder,
  provideFor,
  publicKeyOf,
  Rc4,
  req2Hash,
  selectFor,
  sharedSecret,
  type EncryptionPolicy,
  type MseResult,
} from '../../src/mse/index.js';
import { encodeHandshake } from '../../src/wire/index.js';
import { converse, registry } from '../helpers/mse-roles.js';

test('RC4 matches RFC 6229 (40-bit and 128-bit keys, offsets 0, 16 and 1024)', () => {
  const cases = [
    { key: '0102030405', at: { 0: 'b2396305f03dc027ccc3524a0a1118a8', 16: '6982944f18fc82d589c403a47a0d0919', 1024: '30abbcc7c20b01609f23ee2d5f6bb7df' } },
    { key: '0102030405060708090a0b0c0d0e0f10', at: { 0: '9ac7cc9a609d1ef7b2932899cde41b97', 16: '5248c4959014126a6e8a84f11d1a9e1c', 1024: 'bdf0324e6083dcc6d3cedd3ca8c53c16' } },
  ];
  for (const c of cases) {
    const stream = Buffer.alloc(1040);
    new Rc4(Buffer.from(c.key, 'hex')).process(stream);
    for (const [offset, hex] of Object.entries(c.at)) assert.equal(stream.subarray(Number(offset), Number(offset) + 16).toString('hex'), hex, `${c.key} @${offset}`);
    // The same stream in uneven pieces, and after a discard, continues where it left off.
    const pieces = Buffer.alloc(1040);
    const rc4 = new Rc4(Buffer.from(c.key, 'hex'));
    rc4.process(pieces, 0, 3);
    rc4.process(pieces, 3, 1000);
    rc4.discard(24);
    rc4.process(pieces, 1024, 1040);
    assert.deepEqual(pieces.subarray(1024), stream.subarray(1024));
    assert.deepEqual(pieces.subarray(0, 1000), stream.subarray(0, 1000));
  }
  // The classic plaintext vector: RC4("Key", "Plaintext").
  const text = Buffer.from('Plaintext');
  new Rc4(Buffer.from('Key')).process(text);
  assert.equal(text.toString('hex'), 'bbf316e8d940af0ad3');
});

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  for (let b = base % mod, e = exp; e > 0n; e >>= 1n, b = (b * b) % mod) if (e & 1n) r = (r * b) % mod;
  return r;
}
const big = (b: Buffer): bigint => BigInt(`0x${b.toString('hex')}`);

test('DH: Y = 2^X mod P as 96 bytes; both sides derive the same S; out-of-range public values are refused', () => {
  const P = big(DH_PRIME);
  const xa = Buffer.alloc(20, 0x11);
  const xb = Buffer.alloc(20, 0x7e);
  const ya = publicKeyOf(xa);
  assert.equal(ya.length, 96);
  assert.equal(big(ya), modPow(2n, big(xa), P));
  const s = sharedSecret(xa, publicKeyOf(xb));
  assert.equal(s.length, 96);
  assert.deepEqual(s, sharedSecret(xb, ya));
  assert.equal(big(s), modPow(big(publicKeyOf(xb)), big(xa), P));
  const p1 = Buffer.from((P - 1n).toString(16), 'hex');
  for (const bad of [Buffer.alloc(96), Buffer.concat([Buffer.alloc(95), Buffer.from([1])]), p1, DH_PRIME, Buffer.alloc(96, 0xff), Buffer.alloc(20, 5)]) {
    assert.throws(() => sharedSecret(xa, bad), (e: unknown) => e instanceof MseError && e.code === 'MSE_BAD_KEY');
  }
});

test('keys: RC4(HASH(keyA, S, SKEY)) and RC4(HASH(keyB, S, SKEY)) after 1024 bytes; A sends on keyA, B on keyB', () => {
  const s = Buffer.alloc(96, 3);
  const skey = Buffer.alloc(20, 9);
  const expect = (name: string): Buffer => {
    const out = Buffer.alloc(1024 + 32);
    new Rc4(createHash('sha1').update(name).update(s).update(skey).digest()).process(out);
    return out.subarray(1024);
  };
  const a = cipherPair(s, skey, 'initiator');
  const b = cipherPair(s, skey, 'responder');
  const sentByA = Buffer.alloc(32);
  a.encrypt.process(sentByA);
  assert.deepEqual(sentByA, expect('keyA'));
  b.decrypt.process(sentByA);
  assert.deepEqual(sentByA, Buffer.alloc(32));
  const sentByB = Buffer.alloc(32);
  b.encrypt.process(sentByB);
  assert.deepEqual(sentByB, expect('keyB'));
});

test('policy: what each side offers and selects', () => {
  const both = CRYPTO_PLAINTEXT | CRYPTO_RC4;
  const table: [EncryptionPolicy, number, number][] = [
    ['allow', both, CRYPTO_PLAINTEXT],
    ['allow', CRYPTO_RC4, CRYPTO_RC4],
    ['prefer', both, CRYPTO_RC4],
    ['prefer', CRYPTO_PLAINTEXT, CRYPTO_PLAINTEXT],
    ['require', both, CRYPTO_RC4],
    ['require', CRYPTO_PLAINTEXT, 0],
    ['allow', 0x10, 0],
  ];
  for (const [policy, provide, selected] of table) assert.equal(selectFor(policy, provide), selected, `${policy} 0x${provide.toString(16)}`);
  assert.equal(provideFor('require'), CRYPTO_RC4);
  assert.equal(provideFor('prefer'), both);
});

const INFO = Buffer.alloc(20, 0xab);
const IA = encodeHandshake({ infoHash: INFO, peerId: Buffer.alloc(20, 0x2d), extended: true, fast: true, dht: false });

/** After the handshake, payload flows both ways through the agreed streams. */
function assertStreams(i: MseResult, r: MseResult): void {
  for (const [from, to] of [[i, r], [r, i]] as const) {
    const msg = Buffer.from('the payload stream after the handshake');
    const wire = Buffer.from(msg);
    from.cipher?.encrypt.process(wire);
    if (from.method === 'rc4') assert.notDeepEqual(wire, msg);
    to.cipher?.decrypt.process(wire);
    assert.deepEqual(wire, msg);
  }
}

for (const pads of [0, 512]) {
  for (const [provide, policy, method] of [
    [CRYPTO_PLAINTEXT | CRYPTO_RC4, 'allow', 'plaintext'],
    [CRYPTO_PLAINTEXT | CRYPTO_RC4, 'prefer', 'rc4'],
    [CRYPTO_RC4, 'require', 'rc4'],
  ] as const) {
    for (const ia of [undefined, IA]) {
      test(`roles in memory: provide 0x${provide.toString(16)} to a ${policy} responder selects ${method} (pads ${pads}, ${ia ? 'handshake in IA' : 'no IA'})`, () => {
        for (const chunk of [1, 61, Infinity]) {
          const init = new MseInitiator({ infoHash: INFO, provide, initialPayload: ia, padABytes: pads, padCBytes: pads });
          const resp = new MseResponder({ findInfoHash: registry([INFO]), select: (p) => selectFor(policy, p), padBBytes: pads, padDBytes: pads });
          const { i, r } = converse(init, resp, chunk);
          assert.equal(i.method, method);
          assert.equal(r.method, method);
          assert.deepEqual(r.infoHash, INFO);
          assert.deepEqual(r.payload, ia ?? Buffer.alloc(0));
          assert.equal(i.payload.length, 0);
          assertStreams(i, r);
        }
      });
    }
  }
}

test('payload that follows the handshake in the same write is handed back decrypted (both roles)', () => {
  // Responder, plaintext selected: what follows IA in step 3's write is plaintext payload, after IA.
  const init = new MseInitiator({ infoHash: INFO, provide: CRYPTO_PLAINTEXT | CRYPTO_RC4, initialPayload: IA, padABytes: 0 });
  const resp = new MseResponder({ findInfoHash: registry([INFO]), select: (p) => selectFor('allow', p), padBBytes: 7 });
  const step2 = resp.receive(init.start());
  const step3 = init.receive(Buffer.concat(step2.send));
  const early = Buffer.from('an early bitfield');
  const r = resp.receive(Buffer.concat([...step3.send, early]));
  assert.equal(r.done?.method, 'plaintext');
  assert.deepEqual(r.done.payload, Buffer.concat([IA, early]));
  // Initiator, RC4 selected: what follows PadD in step 4's write is decrypted with keyB.
  const init2 = new MseInitiator({ infoHash: INFO, provide: CRYPTO_RC4, padABytes: 3 });
  const resp2 = new MseResponder({ findInfoHash: registry([INFO]), select: (p) => selectFor('require', p), padBBytes: 0, padDBytes: 5 });
  const s3 = init2.receive(Buffer.concat(resp2.receive(init2.start()).send));
  const s4 = resp2.receive(Buffer.concat(s3.send));
  const after = Buffer.from(early);
  s4.done!.cipher!.encrypt.process(after);
  const i = init2.receive(Buffer.concat([...s4.send, after]));
  assert.equal(i.done?.method, 'rc4');
  assert.deepEqual(i.done.payload, early);
});

test('the responder finds the torrent among several by req2 ^ req3, and refuses one it does not serve', () => {
  const hashes = Array.from({ length: 5 }, (_, n) => Buffer.alloc(20, n + 1));
  for (const wanted of hashes) {
    const { r } = converse(new MseInitiator({ infoHash: wanted, provide: CRYPTO_RC4 }), new MseResponder({ findInfoHash: registry(hashes), select: (p) => selectFor('allow', p) }));
    assert.deepEqual(r.infoHash, wanted);
  }
  assert.throws(
    () => converse(new MseInitiator({ infoHash: Buffer.alloc(20, 0xee), provide: CRYPTO_RC4 }), new MseResponder({ findInfoHash: registry(hashes), select: (p) => selectFor('allow', p) })),
    (e: unknown) => e instanceof MseError && e.code === 'MSE_UNKNOWN_TORRENT',
  );
});

test('no common method: a require responder refuses an initiator that offers plaintext only', () => {
  assert.throws(
    () => converse(new MseInitiator({ infoHash: INFO, provide: CRYPTO_PLAINTEXT }), new MseResponder({ findInfoHash: registry([INFO]), select: (p) => selectFor('require', p) })),
    (e: unknown) => e instanceof MseError && e.code === 'MSE_NO_COMMON_METHOD',
  );
});

test('the initiator refuses a crypto_select it did not offer', () => {
  assert.throws(
    () => converse(new MseInitiator({ infoHash: INFO, provide: CRYPTO_PLAINTEXT }), new MseResponder({ findInfoHash: registry([INFO]), select: () => CRYPTO_RC4 })),
    (e: unknown) => e instanceof MseError && e.code === 'MSE_BAD_SELECT',
  );
});

test('sync is bounded: no req1 within 512 bytes after Ya, no ENCRYPT(VC) within 512 bytes after Yb', () => {
  const resp = new MseResponder({ findInfoHash: registry([INFO]), select: () => CRYPTO_RC4 });
  resp.receive(publicKeyOf(Buffer.alloc(20, 4)));
  assert.equal(resp.receive(Buffer.alloc(531, 0x55)).done, undefined);
  assert.throws(() => resp.receive(Buffer.alloc(1, 0x55)), (e: unknown) => e instanceof MseError && e.code === 'MSE_SYNC');
  const init = new MseInitiator({ infoHash: INFO, provide: CRYPTO_RC4 });
  init.start();
  init.receive(publicKeyOf(Buffer.alloc(20, 4)));
  assert.equal(init.receive(Buffer.alloc(519, 0x55)).done, undefined);
  assert.throws(() => init.receive(Buffer.alloc(1, 0x55)), (e: unknown) => e instanceof MseError && e.code === 'MSE_SYNC');
});

test('hashes: req2 is SHA-1 of "req2" and the info hash', () => {
  assert.deepEqual(req2Hash(INFO), createHash('sha1').update('req2').update(INFO).digest());
});
