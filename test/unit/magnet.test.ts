import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMagnet, MetainfoError, parseMagnet } from '../../src/metainfo/index.js';
import { base32Encode } from '../../src/metainfo/base32.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const V2 = 'caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e';

test('parses xt in hex and base32, btmh, and every known key', () => {
  const m = parseMagnet(
    `magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${V2}&dn=My+File%20x&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&tr.1=udp://127.0.0.1:1&ws=http://127.0.0.1/f&x.pe=127.0.0.1:6881&x.pe=[::1]:6882&so=0,2,4-6&xl=10`,
  );
  assert.equal(m.infoHashV1!.toString('hex'), HEX);
  assert.equal(m.infoHashV2!.toString('hex'), V2);
  assert.equal(m.name, 'My File x');
  assert.deepEqual(m.trackers, ['http://127.0.0.1:6969/announce', 'udp://127.0.0.1:1']);
  assert.deepEqual(m.webSeeds, ['http://127.0.0.1/f']);
  assert.deepEqual(m.peers, ['127.0.0.1:6881', '[::1]:6882']);
  assert.deepEqual(m.selectOnly, [0, 2, 4, 5, 6]);
  const b32 = base32Encode(Buffer.from(HEX, 'hex'));
  assert.equal(b32.length, 32);
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${b32}`).infoHashV1!.toString('hex'), HEX);
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${b32.toLowerCase()}`).infoHashV1!.toString('hex'), HEX);
});

test('build then parse gives the same link', () => {
  const link = parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=a%26b%3Dc&tr=http://127.0.0.1:1/a?x=1%262&ws=http://127.0.0.1/w&x.pe=127.0.0.1:1&so=1,3`);
  const again = parseMagnet(buildMagnet(link));
  assert.deepEqual(again, link);
  assert.equal(again.name, 'a&b=c');
  assert.equal(again.trackers[0], 'http://127.0.0.1:1/a?x=1&2');
});

const bad: [string, RegExp][] = [
  ['http://x', /does not start with "magnet:\?"/],
  ['magnet:?dn=x', /no BitTorrent info hash/],
  ['magnet:?xt=urn:btih:abc', /neither 40 hex digits nor 32 base32/],
  [`magnet:?xt=urn:btih:${'1'.repeat(32)}`, /neither 40 hex digits nor 32 base32/],
  ['magnet:?xt=urn:btmh:1220abcd', /not a SHA2-256 multihash/],
  [`magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A`, /not valid percent-encoding/],
  [`magnet:?xt=urn:btih:${HEX}&so=5-2`, /runs backwards/],
  [`magnet:?xt=urn:btih:${HEX}&so=0-999999999`, /more than/],
  [`magnet:?xt=urn:btih:${HEX}&x.pe=nohostport`, /not HOST:PORT/],
  [`magnet:?xt=urn:btih:${HEX}&tr`, /has no value/],
  [`magnet:?xt=urn:btih:${HEX}&${'a=b&'.repeat(20000)}`, /longer than/],
];

for (const [uri, message] of bad) {
  test(`refuses ${uri.slice(0, 60)}`, () => {
    assert.throws(() => parseMagnet(uri), (e: unknown) => e instanceof MetainfoError && e.code === 'MAGNET_INVALID' && message.test(e.message));
  });
}

test('BEP 53 so: runs of indexes are built as ranges, in the order given, so a wide selection stays short', () => {
  const base = parseMagnet(`magnet:?xt=urn:btih:${'ab'.repeat(20)}`);
  assert.match(buildMagnet({ ...base, selectOnly: [0, 2, 3, 4, 9, 7, 8] }), /&so=0,2-4,9,7-8$/);
  const wide = buildMagnet({ ...base, selectOnly: Array.from({ length: 100_000 }, (_, i) => i) });
  assert.match(wide, /&so=0-99999$/);
  assert.equal(parseMagnet(wide).selectOnly?.length, 100_000);
});
