import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { acceptOack, decodePacket, encodeAck, encodeData, encodeError, encodeOack, encodeRequest, negotiateServer, NetasciiDecoder, TftpError, toNetascii } from '../../src/tftp/index.js';

test('packets round-trip (RFC 1350 §5, RFC 2347 §2)', () => {
  const opts = new Map([['blksize', '1428'], ['tsize', '0']]);
  assert.deepEqual(decodePacket(encodeRequest('rrq', 'boot/a.img', 'octet', opts)), { op: 'rrq', filename: 'boot/a.img', mode: 'octet', options: opts });
  assert.deepEqual(decodePacket(encodeRequest('wrq', 'x', 'netascii')), { op: 'wrq', filename: 'x', mode: 'netascii', options: new Map() });
  assert.deepEqual(decodePacket(encodeData(65535, Buffer.from('abc'))), { op: 'data', block: 65535, data: Buffer.from('abc') });
  assert.deepEqual(decodePacket(encodeAck(70000)), { op: 'ack', block: 70000 & 0xffff });
  assert.deepEqual(decodePacket(encodeError(1, 'File not found')), { op: 'error', code: 1, message: 'File not found' });
  assert.deepEqual(decodePacket(encodeOack(new Map([['windowsize', '16']]))), { op: 'oack', options: new Map([['windowsize', '16']]) });
  // Mode and option names are case-insensitive.
  const mixed = Buffer.concat([Buffer.from([0, 1]), Buffer.from('f\0OCTET\0BlkSize\x00512\0', 'latin1')]);
  assert.deepEqual(decodePacket(mixed), { op: 'rrq', filename: 'f', mode: 'octet', options: new Map([['blksize', '512']]) });
});

test('malformed packets throw TFTP_MALFORMED', () => {
  const bad = [
    Buffer.from([0]),
    Buffer.from([0, 9, 0, 0]),
    Buffer.from([0, 1, 0x61, 0x62]), // no NUL
    Buffer.from('\0\x01\0octet\0', 'latin1'), // empty file name
    Buffer.from('\0\x01f\0mail\0', 'latin1'),
    Buffer.from('\0\x01f\0octet\0blksize\0', 'latin1'), // option without value
    Buffer.from('\0\x01f\0octet\0a\x001\0A\x002\0', 'latin1'), // repeated option
    Buffer.from([0, 4, 0]),
    Buffer.from([0, 4, 0, 1, 0]),
    Buffer.alloc(70000, 1),
  ];
  for (const b of bad) assert.throws(() => decodePacket(b), (e: unknown) => e instanceof TftpError && e.code === 'TFTP_MALFORMED', b.toString('hex').slice(0, 40));
});

test('fuzz: mutated packets yield a packet or a TftpError, nothing else', () => {
  const seeds = [encodeRequest('rrq', 'file', 'octet', new Map([['blksize', '1024'], ['windowsize', '8']])), encodeData(1, Buffer.alloc(20)), encodeAck(3), encodeError(2, 'nope'), encodeOack(new Map([['tsize', '99']]))];
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.uint8Array({ maxLength: 30 }), (seed, flips, cut, tail) => {
      const b = Buffer.from(seed);
      for (const [pos, val] of flips) b[pos % b.length] = val;
      const input = Buffer.concat([b.subarray(0, cut % (b.length + 1)), tail]);
      try {
        decodePacket(input);
      } catch (err) {
        assert.ok(err instanceof TftpError, String(err));
      }
    }),
    { numRuns: 5000 },
  );
});

test('server negotiation: limits applied, unknown and bad options left out (RFC 2347-2349, 7440)', () => {
  const limits = { maxBlockSizeBytes: 65464, maxWindowSize: 64, defaultTimeoutMs: 1000 };
  const asked = new Map([['blksize', '100000'], ['windowsize', '200'], ['timeout', '3'], ['tsize', '0'], ['evil', 'x']]);
  const { oack, options } = negotiateServer(asked, true, 12345, limits);
  assert.deepEqual([...oack], [['blksize', '65464'], ['timeout', '3'], ['tsize', '12345'], ['windowsize', '64']]);
  assert.deepEqual(options, { blockSizeBytes: 65464, windowSize: 64, timeoutMs: 3000, sizeBytes: 12345 });
  const bad = negotiateServer(new Map([['blksize', '4'], ['timeout', '0'], ['windowsize', '0'], ['tsize', 'x']]), true, 1, limits);
  assert.equal(bad.oack.size, 0);
  assert.equal(bad.options.blockSizeBytes, 512);
  // A write's tsize may be any file size (16 digits), so a 5 TiB announcement is read, and refused by the caller.
  assert.equal(negotiateServer(new Map([['tsize', '5497558138880']]), false, undefined, limits).options.sizeBytes, 5497558138880);
  assert.equal(negotiateServer(new Map([['tsize', '12345678901234567']]), false, undefined, limits).oack.size, 0);
});

test('client checks the OACK: nothing added, nothing larger than asked', () => {
  const asked = new Map([['blksize', '1428'], ['windowsize', '16'], ['tsize', '0']]);
  assert.deepEqual(acceptOack(asked, new Map([['blksize', '1024'], ['windowsize', '8'], ['tsize', '77']]), 1000), { blockSizeBytes: 1024, windowSize: 8, timeoutMs: 1000, sizeBytes: 77 });
  const refuses = (m: Map<string, string>): void => assert.throws(() => acceptOack(asked, m, 1000), (e: unknown) => e instanceof TftpError && e.code === 'TFTP_OPTION');
  refuses(new Map([['blksize', '2000']]));
  refuses(new Map([['windowsize', '17']]));
  refuses(new Map([['timeout', '5']]));
  refuses(new Map([['blksize', 'abc']]));
  assert.equal(acceptOack(asked, new Map([['tsize', '2199023255552']]), 1000).sizeBytes, 2 ** 41); // a 2 TiB file
});

test('netascii: encode then decode in arbitrary chunks gives the original back', () => {
  assert.deepEqual(toNetascii(Buffer.from('a\nb\rc')), Buffer.from('a\r\nb\r\0c', 'latin1'));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat({ max: 40 }), { maxLength: 20 }), (bytes, cuts) => {
      const wire = toNetascii(Buffer.from(bytes));
      const d = new NetasciiDecoder();
      const parts: Buffer[] = [];
      let at = 0;
      for (const c of cuts) {
        parts.push(d.push(wire.subarray(at, at + c)));
        at = Math.min(wire.length, at + c);
      }
      parts.push(d.push(wire.subarray(at)), d.end());
      assert.deepEqual(Buffer.concat(parts), Buffer.from(bytes));
    }),
  );
});
