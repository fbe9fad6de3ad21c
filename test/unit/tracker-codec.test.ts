import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode } from '../../src/bencode/index.js';
import { decodeCompactPeers, encodeCompactPeer, ipv6ToString } from '../../src/tracker/compact.js';
import { TrackerError } from '../../src/tracker/errors.js';
import {
  buildAnnounceUrl,
  buildScrapeUrl,
  encodeAnnounceReply,
  encodeFailure,
  encodeScrapeReply,
  parseAnnounceQuery,
  parseAnnounceResponse,
  parseQuery,
  parseScrapeQuery,
  parseScrapeResponse,
  percentEncodeBytes,
  scrapeUrlOf,
} from '../../src/tracker/http-codec.js';
import type { AnnounceRequest } from '../../src/tracker/types.js';

const IH = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');
const PID = Buffer.from('-TD0001-abcdefghijkl');

function request(over: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return { infoHash: IH, peerId: PID, port: 6881, uploaded: 1, downloaded: 2, left: 3, event: 'started', key: 0xdeadbeef, numwant: 30, ...over };
}

function queryOf(url: string): string {
  return url.slice(url.indexOf('?') + 1);
}

test('percent-encoding keeps unreserved bytes and escapes the rest (BEP 3)', () => {
  assert.equal(percentEncodeBytes(Buffer.from([0x00, 0x41, 0x7e, 0x20, 0xff, 0x2e])), '%00A~%20%FF.');
});

test('an announce URL round-trips through the server-side parser', () => {
  const url = buildAnnounceUrl('http://t.example/announce', request({ trackerId: 'abc' }));
  assert.match(url, /^http:\/\/t\.example\/announce\?info_hash=/);
  assert.match(url, /&key=deadbeef/);
  const a = parseAnnounceQuery(queryOf(url), 50, 200);
  assert.deepEqual(a.infoHash, IH);
  assert.deepEqual(a.peerId, PID);
  assert.equal(a.port, 6881);
  assert.equal(a.left, 3);
  assert.equal(a.downloaded, 2);
  assert.equal(a.uploaded, 1);
  assert.equal(a.event, 'started');
  assert.equal(a.numwant, 30);
  assert.equal(a.compact, true);
  assert.equal(a.trackerId, 'abc');
});

test('a query already in the announce URL (a passkey) is kept', () => {
  const url = buildAnnounceUrl('http://t.example/announce?pk=1', request({ event: 'none' }));
  assert.match(url, /\?pk=1&info_hash=/);
  assert.doesNotMatch(url, /event=/);
});

test('property: any info hash and peer id survive the URL round trip', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), (ih, pid) => {
      const a = parseAnnounceQuery(queryOf(buildAnnounceUrl('http://x/announce', request({ infoHash: Buffer.from(ih), peerId: Buffer.from(pid) }))), 50, 200);
      assert.deepEqual(a.infoHash, Buffer.from(ih));
      assert.deepEqual(a.peerId, Buffer.from(pid));
    }),
  );
});

test('scrape URLs follow the announce → scrape convention', () => {
  assert.equal(scrapeUrlOf('http://t/announce'), 'http://t/scrape');
  assert.equal(scrapeUrlOf('http://t/x/announce.php?pk=1'), 'http://t/x/scrape.php?pk=1');
  assert.equal(scrapeUrlOf('http://t/a'), undefined);
  const url = buildScrapeUrl('http://t/scrape', [IH, Buffer.alloc(20)]);
  assert.deepEqual(parseScrapeQuery(queryOf(url), 74), [IH, Buffer.alloc(20)]);
});

const badQueries: [string, string, string][] = [
  ['short info hash', 'info_hash=abc&peer_id=-TD0001-abcdefghijkl&port=1&left=0', 'TRACKER_BAD_INFO_HASH'],
  ['missing peer id', `info_hash=${percentEncodeBytes(IH)}&port=1&left=0`, 'TRACKER_BAD_PEER_ID'],
  ['missing port', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&left=0`, 'TRACKER_BAD_FIELD'],
  ['port 0', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&port=0&left=0`, 'TRACKER_BAD_FIELD'],
  ['port 70000', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&port=70000&left=0`, 'TRACKER_BAD_FIELD'],
  ['non-numeric left', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&port=1&left=x`, 'TRACKER_BAD_FIELD'],
  ['negative uploaded', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&port=1&left=0&uploaded=-1`, 'TRACKER_BAD_FIELD'],
  ['missing left', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&port=1`, 'TRACKER_BAD_FIELD'],
  ['bad event', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&port=1&left=0&event=boom`, 'TRACKER_BAD_EVENT'],
  ['bad escape', `info_hash=%zz&peer_id=-TD0001-abcdefghijkl&port=1&left=0`, 'TRACKER_BAD_FIELD'],
  ['huge number', `info_hash=${percentEncodeBytes(IH)}&peer_id=-TD0001-abcdefghijkl&port=1&left=${'9'.repeat(30)}`, 'TRACKER_BAD_FIELD'],
];

for (const [name, query, code] of badQueries) {
  test(`a hostile announce query is a typed input error: ${name}`, () => {
    assert.throws(() => parseAnnounceQuery(query, 50, 200), (err: unknown) => err instanceof TrackerError && err.code === code && err.kind === 'input');
  });
}

test('a huge numwant is capped, never honoured', () => {
  const a = parseAnnounceQuery(queryOf(buildAnnounceUrl('http://x/announce', request({ numwant: 99999999 }))), 50, 200);
  assert.equal(a.numwant, 200);
});

test('too many query parameters are refused', () => {
  assert.throws(() => parseQuery(Array.from({ length: 200 }, (_, i) => `a${i}=1`).join('&')), /too many/);
});

test('scrape refuses no hashes, too many hashes and wrong lengths', () => {
  assert.throws(() => parseScrapeQuery('', 74), (e: unknown) => (e as TrackerError).code === 'TRACKER_BAD_INFO_HASH');
  assert.throws(() => parseScrapeQuery(Array(75).fill(`info_hash=${percentEncodeBytes(IH)}`).join('&'), 74), (e: unknown) => (e as TrackerError).code === 'TRACKER_BAD_FIELD');
  assert.throws(() => parseScrapeQuery('info_hash=short', 74), (e: unknown) => (e as TrackerError).code === 'TRACKER_BAD_INFO_HASH');
});

test('compact IPv4 and IPv6 peers round-trip (BEP 23, BEP 7)', () => {
  const v4 = encodeCompactPeer('10.1.2.3', 6881)!;
  assert.deepEqual(v4, Buffer.from([10, 1, 2, 3, 0x1a, 0xe1]));
  assert.deepEqual(decodeCompactPeers(v4, 4), [{ host: '10.1.2.3', port: 6881, family: 4 }]);
  const v6 = encodeCompactPeer('2001:db8::1', 443)!;
  assert.equal(v6.length, 18);
  assert.deepEqual(decodeCompactPeers(v6, 6), [{ host: '2001:db8::1', port: 443, family: 6 }]);
  assert.deepEqual(encodeCompactPeer('::ffff:127.0.0.1', 80), encodeCompactPeer('127.0.0.1', 80));
  assert.equal(encodeCompactPeer('not-an-ip', 80), undefined);
  assert.equal(ipv6ToString(Buffer.alloc(16)), '::');
  assert.equal(ipv6ToString(encodeCompactPeer('::1', 1)!.subarray(0, 16)), '::1');
  assert.deepEqual(decodeCompactPeers(Buffer.from([1, 2, 3, 4, 0, 0, 9]), 4), [], 'port 0 and a trailing partial entry are dropped');
});

test('property: every IPv6 address survives compact encoding', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 65535 }), (bytes, port) => {
      const text = ipv6ToString(Buffer.from(bytes));
      const again = encodeCompactPeer(text, port);
      if (text.startsWith('::ffff:') && again?.length === 6) return; // IPv4-mapped becomes IPv4, by design
      assert.deepEqual(again!.subarray(0, 16), Buffer.from(bytes));
    }),
  );
});

test('announce replies: compact, with peers6, and non-compact with peer ids', () => {
  const v4 = encodeCompactPeer('1.2.3.4', 5)!;
  const v6 = encodeCompactPeer('::2', 6)!;
  const reply = { intervalS: 60, minIntervalS: 30, complete: 1, incomplete: 2, downloaded: 3, v4, v6, v4Ids: [PID], v6Ids: [PID] };
  const compact = parseAnnounceResponse(encodeAnnounceReply(reply, true, false));
  assert.equal(compact.intervalS, 60);
  assert.equal(compact.minIntervalS, 30);
  assert.equal(compact.complete, 1);
  assert.equal(compact.incomplete, 2);
  assert.deepEqual(compact.peers, [{ host: '1.2.3.4', port: 5, family: 4 }, { host: '::2', port: 6, family: 6 }]);
  const full = parseAnnounceResponse(encodeAnnounceReply(reply, false, false));
  assert.deepEqual(full.peers, [{ host: '1.2.3.4', port: 5, family: 4, peerId: PID }, { host: '::2', port: 6, family: 6, peerId: PID }]);
  const noIds = parseAnnounceResponse(encodeAnnounceReply(reply, false, true));
  assert.equal(noIds.peers[0]!.peerId, undefined);
});

test('a failure reason becomes TRACKER_FAILURE with the tracker\'s words; warnings and tracker ids are read', () => {
  assert.throws(() => parseAnnounceResponse(encodeFailure('go away')), (e: unknown) => e instanceof TrackerError && e.code === 'TRACKER_FAILURE' && /go away/.test(e.message));
  const r = parseAnnounceResponse(encode({ interval: 5, peers: Buffer.alloc(0), 'warning message': 'careful', 'tracker id': 'T1' }));
  assert.equal(r.warning, 'careful');
  assert.equal(r.trackerId, 'T1');
});

test('scrape replies round-trip', () => {
  const entries = [{ infoHash: IH, complete: 4, downloaded: 5, incomplete: 6 }];
  assert.deepEqual(parseScrapeResponse(encodeScrapeReply(entries)), entries);
});

test('fuzz: mutated tracker responses give only typed errors', () => {
  const seeds = [
    encodeAnnounceReply({ intervalS: 60, minIntervalS: 30, complete: 1, incomplete: 2, downloaded: 3, v4: encodeCompactPeer('1.2.3.4', 5)!, v6: Buffer.alloc(0) }, true, false),
    encodeAnnounceReply({ intervalS: 60, minIntervalS: 30, complete: 1, incomplete: 2, downloaded: 3, v4: encodeCompactPeer('1.2.3.4', 5)!, v4Ids: [PID], v6: Buffer.alloc(0) }, false, false),
    encodeScrapeReply([{ infoHash: IH, complete: 4, downloaded: 5, incomplete: 6 }]),
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (which, edits, cut) => {
      const b = Buffer.from(seeds[which]!);
      for (const [at, v] of edits) b[at % b.length] = v;
      const input = b.subarray(0, b.length - (cut % 4));
      for (const parse of [parseAnnounceResponse, parseScrapeResponse]) {
        try {
          parse(input);
        } catch (err) {
          assert.ok(err instanceof TrackerError, `untyped error: ${String(err)}`);
        }
      }
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: random query strings give only typed input errors', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (q) => {
      try {
        parseAnnounceQuery(q, 50, 200);
      } catch (err) {
        assert.ok(err instanceof TrackerError && err.kind === 'input', `untyped error: ${String(err)}`);
      }
    }),
    { numRuns: 3000 },
  );
});

test('the hand-written compact announce reply equals the generic encoder\'s output', () => {
  const cases = [
    { intervalS: 1800, minIntervalS: 900, complete: 0, incomplete: 0, downloaded: 0, v4: Buffer.alloc(0), v6: Buffer.alloc(0) },
    { intervalS: 60, minIntervalS: 30, complete: 12, incomplete: 345, downloaded: 6789, v4: Buffer.alloc(60, 7), v6: Buffer.alloc(36, 9) },
  ];
  for (const r of cases) {
    const generic = encode({ complete: r.complete, downloaded: r.downloaded, incomplete: r.incomplete, interval: r.intervalS, 'min interval': r.minIntervalS, peers: r.v4, ...(r.v6.length ? { peers6: r.v6 } : {}) });
    assert.deepEqual(encodeAnnounceReply(r, true, false), generic);
  }
});
