// The scheduler's parsers (requests at the server, replies at the volunteer), the output bundle and the upload
// permits: hostile input ends in a typed error, never a crash or an accepted lie.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ComputeError } from '../../src/compute/errors.js';
import { parseSchedulerReply, parseSchedulerRequest } from '../../src/compute/protocol.js';
import { decodeBundle, encodeBundle } from '../../src/compute/sandbox/bundle.js';
import { checkPermit, generateSigningKeys, issuePermit, loadPrivateKey, loadPublicKey, manifestSignatureValid, manifestString, signManifest } from '../../src/compute/signing.js';

const valid = {
  hostId: 3, authenticator: 'abcdefghijklmnopqrstuvwx', userName: 'alice', cores: 2, memoryBytes: 1 << 30, gflops: 2.5, wasmFeatures: ['mvp'],
  workSeconds: 120, inProgress: ['wu1_0'],
  finished: [{ instance: 'wu2_1', status: 'success', reason: null, outputSha256: 'a'.repeat(64), outputBytes: 10, cpuSeconds: 1.5, elapsedSeconds: 2 }],
};
const isBadRequest = (err: unknown): boolean => err instanceof ComputeError && err.code === 'COMPUTE_BAD_REQUEST';

describe('compute scheduler request parser', () => {
  it('accepts a well-formed request and a first contact', () => {
    assert.equal(parseSchedulerRequest(valid).finished[0]!.outputBytes, 10);
    assert.equal(parseSchedulerRequest({ cores: 1, memoryBytes: 0, gflops: 0, workSeconds: 0 }).hostId, null);
  });
  const mutations: [string, (r: Record<string, unknown>) => void][] = [
    ['a host id without authenticator', (r) => delete r['authenticator']],
    ['a negative core count', (r) => (r['cores'] = -1)],
    ['a fractional core count', (r) => (r['cores'] = 1.5)],
    ['NaN-like work seconds', (r) => (r['workSeconds'] = 'lots')],
    ['an instance name with a slash', (r) => (r['inProgress'] = ['../../etc/passwd'])],
    ['too many in progress', (r) => (r['inProgress'] = Array.from({ length: 1001 }, (_, n) => `i${n}`))],
    ['a success without hash', (r) => (r['finished'] = [{ ...valid.finished[0], outputSha256: null }])],
    ['an unknown status', (r) => (r['finished'] = [{ ...valid.finished[0], status: 'valid' }])],
    ['an upper-case hash', (r) => (r['finished'] = [{ ...valid.finished[0], outputSha256: 'A'.repeat(64) }])],
    ['a list that is an object', (r) => (r['finished'] = { 0: valid.finished[0] })],
    ['a short authenticator', (r) => (r['authenticator'] = 'short')],
  ];
  for (const [name, mutate] of mutations) {
    it(`refuses ${name}`, () => {
      const r = structuredClone(valid) as Record<string, unknown>;
      mutate(r);
      assert.throws(() => parseSchedulerRequest(r), isBadRequest);
    });
  }
  it('never throws anything but COMPUTE_BAD_REQUEST on arbitrary JSON (fuzz)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          parseSchedulerRequest(v);
        } catch (err) {
          assert.ok(isBadRequest(err), String(err));
        }
        try {
          parseSchedulerReply(v);
        } catch (err) {
          assert.ok(isBadRequest(err), String(err));
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('survives mutations of a valid request (fuzz): either a checked request or the typed error', () => {
    const keys = Object.keys(valid);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
        const r = { ...structuredClone(valid), [key]: value } as Record<string, unknown>;
        try {
          const parsed = parseSchedulerRequest(r);
          assert.ok(Number.isInteger(parsed.cores) && parsed.cores >= 1);
          assert.ok(parsed.finished.every((f) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(f.instance)));
        } catch (err) {
          assert.ok(isBadRequest(err), String(err));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('compute output bundle', () => {
  it('round-trips, sorted by name so equal outputs are equal bytes', () => {
    const a = encodeBundle(new Map([['b.txt', Buffer.from('2')], ['<stdout>', Buffer.from('1')]]));
    const b = encodeBundle(new Map([['<stdout>', Buffer.from('1')], ['b.txt', Buffer.from('2')]]));
    assert.deepEqual(a, b);
    assert.equal(decodeBundle(a).get('b.txt')!.toString(), '2');
  });
  it('refuses hostile bundles with the typed error (fuzz)', () => {
    const good = encodeBundle(new Map([['<stdout>', Buffer.from('hello')], ['out.bin', Buffer.alloc(40, 1)]]));
    assert.throws(() => decodeBundle(encodeBundle(new Map([['../x', Buffer.alloc(1)]]))), isBadRequest);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(good.length), (junk, cut) => {
        for (const buf of [Buffer.from(junk), Buffer.concat([good.subarray(0, cut), Buffer.from(junk)])]) {
          try {
            for (const name of decodeBundle(buf).keys()) assert.ok(name === '<stdout>' || /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name));
          } catch (err) {
            assert.ok(isBadRequest(err), String(err));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('compute signatures and permits', () => {
  const keys = generateSigningKeys();
  const manifest = manifestString({ app: 'sum', version: 1, wasmSha256: 'b'.repeat(64), wasmBytes: 100 });
  it('a manifest signature verifies with the project key only, and not once the manifest changes', () => {
    const sig = signManifest(manifest, loadPrivateKey(keys.privatePem));
    assert.ok(manifestSignatureValid(manifest, sig, loadPublicKey(keys.publicPem)));
    assert.ok(!manifestSignatureValid(manifest.replace('"version":1', '"version":2'), sig, loadPublicKey(keys.publicPem)));
    assert.ok(!manifestSignatureValid(manifest, sig, loadPublicKey(generateSigningKeys().publicPem)));
    assert.ok(!manifestSignatureValid(manifest, 'not base64 at all', loadPublicKey(keys.publicPem)));
  });
  it('a permit is for one instance, one size and one time', () => {
    const secret = Buffer.alloc(32, 9);
    const permit = issuePermit(secret, 'wu1_0', 1000, 5000);
    assert.deepEqual(checkPermit(secret, 'wu1_0', permit, 4000), { maxBytes: 1000 });
    const refused = (err: unknown): boolean => err instanceof ComputeError && err.code === 'COMPUTE_BAD_PERMIT';
    assert.throws(() => checkPermit(secret, 'wu1_1', permit, 4000), refused);
    assert.throws(() => checkPermit(secret, 'wu1_0', permit.replace(/^1000/, '9999'), 4000), refused);
    assert.throws(() => checkPermit(secret, 'wu1_0', permit, 5001), refused);
    assert.throws(() => checkPermit(Buffer.alloc(32, 8), 'wu1_0', permit, 4000), refused);
    assert.throws(() => checkPermit(secret, 'wu1_0', '', 0), refused);
  });
});
