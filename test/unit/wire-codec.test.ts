import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Bitfield,
  decodeExtendedHandshake,
  decodeHandshake,
  decodeMessage,
  decodeMetadataMessage,
  decodePex,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodeMetadataMessage,
  encodePex,
  Framer,
  maxFrameBytes,
  WireError,
  type Message,
} from '../../src/wire/index.js';

const hash = Buffer.alloc(20, 0xab);
const id = Buffer.from('-TD0001-abcdefghijkl');

test('handshake round-trips with the BEP 10, BEP 6 and DHT reserved bits', () => {
  const bytes = encodeHandshake({ infoHash: hash, peerId: id, extended: true, fast: true, dht: true });
  assert.equal(bytes.length, 68);
  assert.equal(bytes[25], 0x10);
  assert.equal(bytes[27], 0x05);
  const h = decodeHandshake(bytes);
  assert.deepEqual(h, { infoHash: hash, peerId: id, extended: true, fast: true, dht: true });
  const plain = decodeHandshake(encodeHandshake({ infoHash: hash, peerId: id, extended: false, fast: false, dht: false }));
  assert.equal(plain.extended || plain.fast || plain.dht, false);
  const wrong = Buffer.from(bytes);
  wrong[3] = 0x41;
  assert.throws(() => decodeHandshake(wrong), (e: WireError) => e.code === 'WIRE_BAD_HANDSHAKE');
});

const table: [string, Message, string][] = [
  ['keep-alive', { type: 'keepAlive' }, '00000000'],
  ['choke', { type: 'choke' }, '0000000100'],
  ['unchoke', { type: 'unchoke' }, '0000000101'],
  ['interested', { type: 'interested' }, '0000000102'],
  ['not interested', { type: 'notInterested' }, '0000000103'],
  ['have', { type: 'have', index: 7 }, '000000050400000007'],
  ['bitfield', { type: 'bitfield', bytes: Buffer.from([0xf0]) }, '0000000205f0'],
  ['request', { type: 'request', index: 1, begin: 16384, length: 16384 }, '0000000d06000000010000400000004000'],
  ['piece', { type: 'piece', index: 1, begin: 0, block: Buffer.from('hi') }, '0000000b07000000010000000068' + '69'],
  ['cancel', { type: 'cancel', index: 1, begin: 0, length: 16384 }, '0000000d08000000010000000000004000'],
  ['port', { type: 'port', port: 6881 }, '00000003091ae1'],
  ['suggest', { type: 'suggest', index: 2 }, '000000050d00000002'],
  ['have all', { type: 'haveAll' }, '000000010e'],
  ['have none', { type: 'haveNone' }, '000000010f'],
  ['reject', { type: 'reject', index: 3, begin: 0, length: 100 }, '0000000d10000000030000000000000064'],
  ['allowed fast', { type: 'allowedFast', index: 3 }, '000000051100000003'],
  ['extended', { type: 'extended', id: 1, payload: Buffer.from('de') }, '00000004140164' + '65'],
];

for (const [name, msg, hex] of table) {
  test(`${name}: encodes to the bytes BEP 3/6/10 give and decodes back`, () => {
    const bytes = encodeMessage(msg);
    assert.equal(bytes.toString('hex'), hex);
    assert.deepEqual(decodeMessage(bytes.subarray(4), { pieceCount: 8 }), msg);
  });
}

const refused: [string, string, number | undefined, string][] = [
  ['a block over 16 KiB', '07' + '00000000' + '00000000' + '00'.repeat(16385), 8, 'WIRE_BAD_LENGTH'],
  ['a request over 16 KiB', '06' + '00000000' + '00000000' + '00004001', 8, 'WIRE_BAD_VALUE'],
  ['a request for 0 bytes', '06' + '00000000' + '00000000' + '00000000', 8, 'WIRE_BAD_VALUE'],
  ['a bitfield shorter than the torrent', '05' + 'ff', 9, 'WIRE_BAD_LENGTH'],
  ['a bitfield longer than the torrent', '05' + 'ffff', 8, 'WIRE_BAD_LENGTH'],
  ['a bitfield with spare bits set', '05' + 'ff' + '40', 9, 'WIRE_BAD_VALUE'],
  ['a have past the last piece', '04' + '00000008', 8, 'WIRE_BAD_VALUE'],
  ['a choke with a payload', '00' + '00', 8, 'WIRE_BAD_LENGTH'],
  ['a have of 3 bytes', '04' + '000000', 8, 'WIRE_BAD_LENGTH'],
  ['an unknown id', '63', 8, 'WIRE_UNKNOWN_ID'],
];
for (const [name, hex, pieceCount, code] of refused) {
  test(`refuses ${name} with ${code}`, () => {
    assert.throws(() => decodeMessage(Buffer.from(hex, 'hex'), { pieceCount }), (e: WireError) => e instanceof WireError && e.code === code);
  });
}

test('a bitfield before metadata is kept raw and checked later', () => {
  const m = decodeMessage(Buffer.from('05ffff', 'hex'), {});
  assert.equal(m.type, 'bitfield');
});

test('framer: frames inside one chunk are views; split frames are joined; an oversized prefix is refused before buffering', () => {
  const a = encodeMessage({ type: 'have', index: 1 });
  const b = encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(100, 7) });
  const stream = Buffer.concat([a, b]);
  const f = new Framer(maxFrameBytes({ pieceCount: 8 }));
  f.push(stream.subarray(0, 3));
  assert.equal(f.next(), undefined);
  f.push(stream.subarray(3, 20));
  assert.deepEqual(decodeMessage(f.next()!), { type: 'have', index: 1 });
  assert.equal(f.next(), undefined);
  f.push(stream.subarray(20));
  const piece = decodeMessage(f.next()!);
  assert.equal(piece.type, 'piece');
  assert.equal(f.bufferedBytes, 0);

  const whole = new Framer(1000);
  whole.push(b);
  const body = whole.next()!;
  assert.equal(body.buffer, b.buffer, 'a frame inside one chunk is not copied');

  const huge = new Framer(maxFrameBytes({ pieceCount: 8 }));
  huge.push(Buffer.from('7fffffff', 'hex'));
  assert.throws(() => huge.next(), (e: WireError) => e.code === 'WIRE_TOO_LONG');
});

test('BEP 10 extension handshake round-trips m, v, reqq, yourip, p and metadata_size', () => {
  const h = { m: new Map([['ut_metadata', 1], ['ut_pex', 2]]), v: 'tandem 0.1', reqq: 500, yourip: Buffer.from([127, 0, 0, 1]), p: 6881, metadataSize: 1234 };
  assert.deepEqual(decodeExtendedHandshake(encodeExtendedHandshake(h)), h);
  const bare = decodeExtendedHandshake(Buffer.from('d1:md6:ut_pexi0eee'));
  assert.equal(bare.m.get('ut_pex'), 0);
  assert.equal(bare.metadataSize, undefined);
  assert.throws(() => decodeExtendedHandshake(Buffer.from('d13:metadata_sizei999999999999ee')), (e: WireError) => e.code === 'WIRE_BAD_EXTENDED');
  assert.throws(() => decodeExtendedHandshake(Buffer.from('li1ee')), (e: WireError) => e.code === 'WIRE_BAD_EXTENDED');
});

test('BEP 9 metadata request, data and reject round-trip; a data piece of the wrong size is refused', () => {
  assert.deepEqual(decodeMetadataMessage(encodeMetadataMessage({ type: 'request', piece: 2 })), { type: 'request', piece: 2 });
  assert.deepEqual(decodeMetadataMessage(encodeMetadataMessage({ type: 'reject', piece: 0 })), { type: 'reject', piece: 0 });
  const data = { type: 'data' as const, piece: 1, totalSize: 16384 + 10, data: Buffer.alloc(10, 1) };
  assert.deepEqual(decodeMetadataMessage(encodeMetadataMessage(data)), data);
  const short = encodeMetadataMessage({ type: 'data', piece: 0, totalSize: 16384 + 10, data: Buffer.alloc(10) });
  assert.throws(() => decodeMetadataMessage(short), (e: WireError) => e.code === 'WIRE_BAD_EXTENDED');
  assert.throws(() => decodeMetadataMessage(Buffer.from('d8:msg_typei7e5:piecei0ee')), (e: WireError) => e.code === 'WIRE_BAD_EXTENDED');
});

test('BEP 11 PEX round-trips IPv4 and IPv6 peers', () => {
  const m = { added: [{ host: '127.0.0.1', port: 6881 }, { host: '0:0:0:0:0:0:0:1', port: 7000 }], dropped: [{ host: '10.0.0.2', port: 1 }] };
  assert.deepEqual(decodePex(encodePex(m)), m);
  assert.deepEqual(decodePex(encodePex({ added: [{ host: '::1', port: 9 }], dropped: [] })).added, [{ host: '0:0:0:0:0:0:0:1', port: 9 }]);
  assert.throws(() => decodePex(Buffer.from('d5:added5:abcdee')), (e: WireError) => e.code === 'WIRE_BAD_EXTENDED');
});

test('bitfield as a string, with its count', () => {
  const b = Bitfield.fromString('1011000001');
  assert.equal(b.count, 4);
  assert.equal(b.toString(), '1011000001');
  assert.equal(b.bytes.toString('hex'), 'b040');
  b.clear(0);
  b.set(9);
  assert.equal(b.toString(), '0011000001');
  assert.equal(Bitfield.full(10).complete, true);
});
