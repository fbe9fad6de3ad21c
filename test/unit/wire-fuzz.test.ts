import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeExtendedHandshake,
  decodeHandshake,
  decodeMessage,
  decodeMetadataMessage,
  decodePex,
  encodeExtendedHandshake,
  encodeMessage,
  encodeMetadataMessage,
  encodePex,
  Framer,
  WireError,
} from '../../src/wire/index.js';
import { mutate, xorshift } from '../fuzz/mutate.js';

/** Every parser, given anything, either returns a value or throws a WireError: nothing else escapes. */
function onlyTypedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WireError, `unexpected ${(err as Error).stack}`);
  }
}

const seeds = [
  encodeMessage({ type: 'request', index: 1, begin: 0, length: 16384 }),
  encodeMessage({ type: 'bitfield', bytes: Buffer.from([0xff, 0x80]) }),
  encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(40) }),
  encodeMessage({ type: 'extended', id: 0, payload: encodeExtendedHandshake({ m: new Map([['ut_metadata', 3]]), metadataSize: 100, yourip: Buffer.alloc(4) }) }),
  encodeMessage({ type: 'extended', id: 1, payload: encodeMetadataMessage({ type: 'data', piece: 0, totalSize: 5, data: Buffer.from('abcde') }) }),
  encodeMessage({ type: 'extended', id: 2, payload: encodePex({ added: [{ host: '1.2.3.4', port: 5 }], dropped: [] }) }),
];

// A seed frame through the shared mutator (test/fuzz/mutate.ts), chosen and mutated from one generated number.
const mutated = fc.integer().map((n) => {
  const next = xorshift(n);
  return mutate(seeds[next() % seeds.length]!, next, [], 8);
});

test('fuzz: mutated frames through the framer and every decoder raise only WireError', () => {
  fc.assert(
    fc.property(mutated, fc.integer({ min: 1, max: 40 }), (bytes, chunk) => {
      const f = new Framer(70_000);
      for (let i = 0; i < bytes.length; i += chunk) f.push(bytes.subarray(i, i + chunk));
      onlyTypedErrors(() => {
        for (let body = f.next(), n = 0; body && n < 100; body = f.next(), n++) {
          const m = decodeMessage(body, { pieceCount: 9 });
          if (m.type === 'extended') {
            onlyTypedErrors(() => decodeExtendedHandshake(m.payload));
            onlyTypedErrors(() => decodeMetadataMessage(m.payload));
            onlyTypedErrors(() => decodePex(m.payload));
          }
        }
      });
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: random bytes into each decoder raise only WireError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
      const b = Buffer.from(raw);
      onlyTypedErrors(() => decodeMessage(b, { pieceCount: 3 }));
      onlyTypedErrors(() => decodeMessage(b, {}));
      onlyTypedErrors(() => decodeHandshake(b));
      onlyTypedErrors(() => decodeExtendedHandshake(b));
      onlyTypedErrors(() => decodeMetadataMessage(b));
      onlyTypedErrors(() => decodePex(b));
    }),
    { numRuns: 3000 },
  );
});
