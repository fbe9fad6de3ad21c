import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { xorshift } from '../helpers/rng.js';
import { BencodeError, decode, decodePrefix, dictSpan, encode, type BDict, type BValue } from '../../src/bencode/index.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('decodes every kind of value', () => {
  assert.equal(decode(b('i42e')), 42);
  assert.equal(decode(b('i-7e')), -7);
  assert.equal(decode(b('i0e')), 0);
  assert.equal(decode(b('i9223372036854775807e')), 9223372036854775807n);
  assert.deepEqual(decode(b('4:spam')), b('spam'));
  assert.deepEqual(decode(b('0:')), b(''));
  assert.deepEqual(decode(b('l4:spami3ee')), [b('spam'), 3]);
  const d = decode(b('d3:cow3:moo4:spaml1:a1:bee')) as BDict;
  assert.deepEqual([...d.keys()], ['cow', 'spam']);
  assert.deepEqual(d.get('spam'), [b('a'), b('b')]);
});

const rejected: [string, string, string][] = [
  ['i03e', 'BENCODE_BAD_INTEGER', 'leading zero'],
  ['i-0e', 'BENCODE_BAD_INTEGER', '-0'],
  ['ie', 'BENCODE_BAD_INTEGER', 'no digits'],
  ['i-e', 'BENCODE_BAD_INTEGER', 'a sign alone'],
  ['i1.5e', 'BENCODE_BAD_INTEGER', 'a fraction'],
  ['i123456789012345678901e', 'BENCODE_BAD_INTEGER', 'too many digits'],
  ['i12', 'BENCODE_TRUNCATED', 'no closing e'],
  ['5:abc', 'BENCODE_TRUNCATED', 'string past the end'],
  ['05:abcde', 'BENCODE_BAD_LENGTH', 'length with a leading zero'],
  ['3abc', 'BENCODE_TRUNCATED', 'length without a colon'],
  ['l4:spam', 'BENCODE_TRUNCATED', 'unterminated list'],
  ['d3:cow3:moo', 'BENCODE_TRUNCATED', 'unterminated dict'],
  ['d4:spam1:a3:cow3:mooe', 'BENCODE_UNSORTED_KEYS', 'keys out of order'],
  ['d3:cow1:a3:cow1:be', 'BENCODE_UNSORTED_KEYS', 'a repeated key'],
  ['di1e1:ae', 'BENCODE_UNEXPECTED_BYTE', 'an integer key'],
  ['i1ei2e', 'BENCODE_TRAILING_BYTES', 'trailing bytes'],
  ['x', 'BENCODE_UNEXPECTED_BYTE', 'an unknown type byte'],
  ['', 'BENCODE_TRUNCATED', 'empty input'],
];

for (const [input, code, why] of rejected) {
  test(`rejects ${why}: ${JSON.stringify(input)}`, () => {
    assert.throws(() => decode(b(input)), (err: unknown) => err instanceof BencodeError && err.code === code);
  });
}

test('enforces the depth and string-length limits', () => {
  const deep = 'l'.repeat(200) + 'e'.repeat(200);
  assert.throws(() => decode(b(deep)), (e: unknown) => e instanceof BencodeError && e.code === 'BENCODE_TOO_DEEP');
  assert.deepEqual(decode(b(deep), { maxDepth: 300 }) instanceof Array, true);
  assert.throws(() => decode(b('10:0123456789'), { maxStringBytes: 9 }), (e: unknown) => e instanceof BencodeError && e.code === 'BENCODE_BAD_LENGTH');
});

test('reports the raw span of each dictionary, even one that re-encodes differently', () => {
  // 'i1e' vs the same dict spelled identically: spans point at the bytes in the input.
  const input = b('d4:infod6:lengthi5e4:name1:xe5:otheri1ee');
  const root = decode(input) as BDict;
  const info = root.get('info') as BDict;
  const span = dictSpan(info)!;
  assert.equal(input.subarray(span.start, span.end).toString('latin1'), 'd6:lengthi5e4:name1:xe');
  assert.deepEqual(dictSpan(root), { start: 0, end: input.length });
});

test('decodePrefix stops after the first value (BEP 9 data messages)', () => {
  const { value, end } = decodePrefix(b('d8:msg_typei1eeRAWDATA'));
  assert.equal((value as BDict).get('msg_type'), 1);
  assert.equal(end, 'd8:msg_typei1ee'.length);
});

test('encodes with keys sorted by raw bytes and skips undefined fields', () => {
  assert.equal(encode({ zeta: 1, alpha: 'x', skipped: undefined, list: [1, 'a'] }).toString('latin1'), 'd5:alpha1:x4:listli1e1:ae4:zetai1ee');
  // Bytes order, not UTF-16 order: 'é' (0xc3 0xa9) sorts after 'z'.
  assert.equal(encode({ é: 1, z: 2 }).toString('latin1'), 'd1:zi2e2:\u00c3\u00a9i1ee');
  assert.equal(encode(new Map([['b', 1], ['a', 2]])).toString('latin1'), 'd1:ai2e1:bi1ee');
  assert.equal(encode(12345678901234567890n).toString(), 'i12345678901234567890e');
  assert.throws(() => encode(1.5), BencodeError);
});

// Values as the decoder returns them: safe integers, Buffers, arrays and Maps with latin1 keys.
const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 8 }), tie('v'), { maxKeys: 5 }).map(
      (o) => new Map(Object.entries(o)),
    ),
  ),
})).v;

test('property: decode(encode(x)) equals x', () => {
  fc.assert(
    fc.property(bvalue, (v) => {
      assert.deepEqual(decode(encode(v)), v);
    }),
    { numRuns: 2000 },
  );
});

test('property: encode(decode(bytes)) gives back the same bytes for any valid input', () => {
  fc.assert(
    fc.property(bvalue, (v) => {
      const bytes = encode(v);
      assert.deepEqual(encode(decode(bytes)), bytes);
    }),
    { numRuns: 1000 },
  );
});

test('fuzz: 100,000 mutated inputs raise nothing but BencodeError', () => {
  const seeds = [encode({ info: { name: 'x', 'piece length': 16384, pieces: Buffer.alloc(20), files: [{ length: 3, path: ['a', 'b'] }] }, announce: 'http://t/a' }), encode([1, -2, 'abc', { k: [[]] }])];
  const next = xorshift(0x2545f491);
  const bytesOf = [0x30, 0x31, 0x39, 0x3a, 0x65, 0x69, 0x6c, 0x64, 0x2d, 0x00, 0xff];
  let decoded = 0;
  for (let i = 0; i < 100_000; i++) {
    const input = Buffer.from(seeds[i % seeds.length]!);
    const mutations = 1 + (next() % 4);
    let data = input;
    for (let m = 0; m < mutations; m++) {
      const pos = next() % Math.max(1, data.length);
      const kind = next() % 4;
      if (kind === 0) data[pos] = bytesOf[next() % bytesOf.length]!;
      else if (kind === 1) data[pos] = next() & 0xff;
      else if (kind === 2) data = data.subarray(0, pos);
      else data = Buffer.concat([data.subarray(0, pos), Buffer.from([bytesOf[next() % bytesOf.length]!]), data.subarray(pos)]);
    }
    try {
      decode(data);
      decoded++;
    } catch (err) {
      if (!(err instanceof BencodeError)) throw new Error(`non-typed error for input ${data.toString('hex')}: ${String(err)}`);
    }
  }
  // Some mutations leave valid bencode; most do not. Both kinds must have been exercised.
  assert.ok(decoded > 0 && decoded < 100_000);
});
