import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ANNOUNCE_REQUEST_BYTES,
  decodeRequest,
  decodeResponse,
  encodeAnnounce,
  encodeAnnounceResponse,
  encodeConnect,
  encodeConnectResponse,
  encodeErrorResponse,
  encodeScrape,
  encodeScrapeResponse,
  peekTransactionId,
  PROTOCOL_ID,
} from '../../src/tracker/bep15-udp.js';
import { TrackerError } from '../../src/tracker/errors.js';

const IH = Buffer.alloc(20, 0xab);
const PID = Buffer.alloc(20, 0xcd);

test('connect request and response round-trip (BEP 15)', () => {
  const req = encodeConnect(0x01020304);
  assert.equal(req.length, 16);
  assert.equal(req.readBigUInt64BE(0), PROTOCOL_ID);
  assert.deepEqual(decodeRequest(req, 1024), { action: 'connect', transactionId: 0x01020304 });
  assert.deepEqual(decodeResponse(encodeConnectResponse(7, 0x1122334455667788n)), { action: 'connect', transactionId: 7, connectionId: 0x1122334455667788n });
});

test('announce request round-trips, with BEP 41 URL data', () => {
  const fields = { connectionId: 42n, transactionId: 9, infoHash: IH, peerId: PID, downloaded: 5, left: 6, uploaded: 7, event: 'completed' as const, key: 0xffffffff, numWant: -1, port: 6881 };
  const plain = encodeAnnounce(fields);
  assert.equal(plain.length, ANNOUNCE_REQUEST_BYTES);
  const r = decodeRequest(plain, 1024);
  assert.equal(r.action, 'announce');
  if (r.action !== 'announce') return;
  assert.equal(r.connectionId, 42n);
  assert.deepEqual(r.infoHash, IH);
  assert.deepEqual(r.peerId, PID);
  assert.equal(r.left, 6n);
  assert.equal(r.event, 'completed');
  assert.equal(r.numWant, -1);
  assert.equal(r.key, 0xffffffff);
  assert.equal(r.port, 6881);
  assert.equal(r.urlData, '');
  const long = '/' + 'k'.repeat(300) + '/announce?x=1';
  const withUrl = decodeRequest(encodeAnnounce({ ...fields, urlData: long }), 1024);
  assert.equal(withUrl.action === 'announce' && withUrl.urlData, long);
});

test('scrape request and responses round-trip', () => {
  const r = decodeRequest(encodeScrape(1n, 2, [IH, PID]), 1024);
  assert.deepEqual(r, { action: 'scrape', connectionId: 1n, transactionId: 2, infoHashes: [IH, PID] });
  assert.deepEqual(decodeResponse(encodeScrapeResponse(3, [{ seeders: 1, completed: 2, leechers: 3 }])), { action: 'scrape', transactionId: 3, entries: [{ seeders: 1, completed: 2, leechers: 3 }] });
  const ann = decodeResponse(encodeAnnounceResponse(4, 1800, 5, 6, Buffer.from([1, 2, 3, 4, 0, 80])));
  assert.deepEqual(ann, { action: 'announce', transactionId: 4, intervalS: 1800, leechers: 5, seeders: 6, peers: Buffer.from([1, 2, 3, 4, 0, 80]) });
  assert.deepEqual(decodeResponse(encodeErrorResponse(5, 'nope')), { action: 'error', transactionId: 5, message: 'nope' });
});

const hostile: [string, Buffer, string][] = [
  ['empty', Buffer.alloc(0), 'TRACKER_BAD_PACKET'],
  ['15 bytes', Buffer.alloc(15), 'TRACKER_BAD_PACKET'],
  ['connect without protocol id', Buffer.alloc(16), 'TRACKER_BAD_PACKET'],
  ['truncated announce', encodeAnnounce({ connectionId: 1n, transactionId: 1, infoHash: IH, peerId: PID, downloaded: 0, left: 0, uploaded: 0, event: 'none', key: 0, numWant: 1, port: 1 }).subarray(0, 97), 'TRACKER_BAD_PACKET'],
  ['oversized', Buffer.alloc(2000), 'TRACKER_BAD_PACKET'],
  ['scrape with a partial hash', Buffer.concat([encodeScrape(1n, 1, [IH]), Buffer.alloc(3)]), 'TRACKER_BAD_PACKET'],
  ['scrape of 75 hashes', encodeScrape(1n, 1, Array(75).fill(IH)), 'TRACKER_BAD_PACKET'],
  ['unknown action', Buffer.from('00000000000000010000000900000001', 'hex'), 'TRACKER_BAD_PACKET'],
];

for (const [name, packet, code] of hostile) {
  test(`a hostile UDP packet is a typed input error: ${name}`, () => {
    assert.throws(() => decodeRequest(packet, 1024), (e: unknown) => e instanceof TrackerError && e.code === code && e.kind === 'input');
  });
}

test('an announce with an unknown event is refused', () => {
  const b = encodeAnnounce({ connectionId: 1n, transactionId: 1, infoHash: IH, peerId: PID, downloaded: 0, left: 0, uploaded: 0, event: 'none', key: 0, numWant: 1, port: 1 });
  b.writeUInt32BE(9, 80);
  assert.throws(() => decodeRequest(b, 1024), (e: unknown) => (e as TrackerError).code === 'TRACKER_BAD_EVENT');
});

test('peekTransactionId reads the id only when there is one', () => {
  assert.equal(peekTransactionId(Buffer.alloc(15)), undefined);
  assert.equal(peekTransactionId(encodeConnect(77)), 77);
});

test('fuzz: random and mutated packets give only typed errors, on both sides', () => {
  const seeds = [
    encodeConnect(1),
    encodeAnnounce({ connectionId: 1n, transactionId: 1, infoHash: IH, peerId: PID, downloaded: 0, left: 0, uploaded: 0, event: 'started', key: 0, numWant: 1, port: 1, urlData: '/pk/announce' }),
    encodeScrape(1n, 1, [IH]),
    encodeAnnounceResponse(1, 2, 3, 4, Buffer.alloc(6, 1)),
    encodeErrorResponse(1, 'x'),
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat({ max: 120 }), fc.uint8Array({ maxLength: 40 }), (which, edits, cut, tail) => {
      const b = Buffer.from(seeds[which]!);
      for (const [at, v] of edits) b[at % b.length] = v;
      const input = Buffer.concat([b.subarray(0, Math.max(0, b.length - cut)), Buffer.from(tail)]);
      for (const f of [() => decodeRequest(input, 1024), () => decodeResponse(input)]) {
        try {
          f();
        } catch (err) {
          assert.ok(err instanceof TrackerError, `untyped error: ${String(err)}`);
        }
      }
    }),
    { numRuns: 5000 },
  );
});
