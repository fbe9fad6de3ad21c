import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAnnounce, encodeAnnounces, hostHeader, LSD_MAX_PACKET_BYTES, LsdError } from '../../src/lsd/index.js';

const ih = (n: number): Buffer => Buffer.alloc(20, n);

test('BEP 14 announce: exact bytes, and it decodes back', () => {
  const [packet, ...rest] = encodeAnnounces({ host: hostHeader(4), port: 6881, infoHashes: [ih(0xab)], cookie: 'c00k1e' });
  assert.equal(rest.length, 0);
  assert.equal(
    packet!.toString('latin1'),
    `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${'ab'.repeat(20)}\r\ncookie: c00k1e\r\n\r\n\r\n`,
  );
  assert.deepEqual(decodeAnnounce(packet!), { host: '239.192.152.143:6771', port: 6881, infoHashes: [ih(0xab)], cookie: 'c00k1e' });
  assert.equal(hostHeader(6), '[ff15::efc0:988f]:6771');
});

test('many info hashes are split into packets of at most 1400 bytes, none lost', () => {
  const hashes = Array.from({ length: 100 }, (_, i) => ih(i));
  const packets = encodeAnnounces({ host: hostHeader(6), port: 1, infoHashes: hashes, cookie: 'x' });
  assert.ok(packets.length > 1);
  for (const p of packets) assert.ok(p.length <= LSD_MAX_PACKET_BYTES, `${p.length}`);
  assert.deepEqual(packets.flatMap((p) => decodeAnnounce(p).infoHashes), hashes);
});

test('header names are case-insensitive, unknown headers ignored, bad ones refused', () => {
  const ok = Buffer.from(`BT-SEARCH * HTTP/1.1\r\nHOST: 239.192.152.143:6771\r\nport: 51413\r\nX-Other: y\r\ninfohash: ${'0F'.repeat(20)}\r\n\r\n\r\n`);
  assert.equal(decodeAnnounce(ok).port, 51413);
  const bad = [
    'GET / HTTP/1.1\r\n\r\n',
    'BT-SEARCH * HTTP/1.1\r\nHost: h\r\nPort: 0\r\nInfohash: ' + '0'.repeat(40) + '\r\n\r\n',
    'BT-SEARCH * HTTP/1.1\r\nHost: h\r\nPort: 99999\r\nInfohash: ' + '0'.repeat(40) + '\r\n\r\n',
    'BT-SEARCH * HTTP/1.1\r\nHost: h\r\nPort: 1\r\nInfohash: ' + '0'.repeat(39) + '\r\n\r\n',
    'BT-SEARCH * HTTP/1.1\r\nHost: h\r\nPort: 1\r\n\r\n',
    'BT-SEARCH * HTTP/1.1\r\nnocolon\r\n\r\n',
    'BT-SEARCH * HTTP/1.1\r\n' + 'X: y\r\n'.repeat(1000),
  ];
  for (const b of bad) assert.throws(() => decodeAnnounce(Buffer.from(b)), (e: unknown) => e instanceof LsdError && e.code === 'LSD_MALFORMED', JSON.stringify(b.slice(0, 40)));
  assert.throws(() => encodeAnnounces({ host: 'h', port: 0, infoHashes: [ih(1)] }), LsdError);
  assert.throws(() => encodeAnnounces({ host: 'h', port: 1, infoHashes: [ih(1)], cookie: 'has space' }), LsdError);
});

test('fuzz: arbitrary and mutated datagrams only raise LsdError', () => {
  const seed = encodeAnnounces({ host: hostHeader(4), port: 6881, infoHashes: [ih(1), ih(2)], cookie: 'abc' })[0]!;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.uint8Array({ maxLength: 64 }), (edits, extra) => {
      const buf = Buffer.concat([seed, Buffer.from(extra)]);
      for (const [pos, byte] of edits) buf[pos % buf.length] = byte;
      try {
        decodeAnnounce(buf);
      } catch (err) {
        if (!(err instanceof LsdError)) throw err;
      }
    }),
    { numRuns: 10_000 },
  );
});
