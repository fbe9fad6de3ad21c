// The pure parts of `serve --seed`: the Link header (RFC 8288) both ways, the cache key, and re-stamping a cached
// torrent's URLs without touching its info dictionary.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findTorrentLink, parseLinkHeader, torrentLinkHeader, MAX_LINKS } from '../../src/http/index.js';
import { createTorrent } from '../../src/metainfo/index.js';
import { describesFile, restamp, seedCacheKey } from '../../src/serve/index.js';
import { tempDir } from '../helpers/tmp.js';

const base = new URL('http://127.0.0.1:8080/iso/big.iso');

describe('Link header (RFC 8288 §3)', () => {
  it('reads targets and parameters: quoted, bare, escaped, repeated, case-insensitive names', () => {
    const links = parseLinkHeader('</a?torrent>; rel="describedby"; TYPE="application/x-bittorrent", <https://x.example/b>;rel=next;title="a \\"q\\", b";rel=ignored');
    assert.equal(links.length, 2);
    assert.equal(links[0]!.target, '/a?torrent');
    assert.equal(links[0]!.params.get('rel'), 'describedby');
    assert.equal(links[0]!.params.get('type'), 'application/x-bittorrent');
    assert.equal(links[1]!.target, 'https://x.example/b');
    assert.equal(links[1]!.params.get('title'), 'a "q", b', 'a comma inside quotes does not end the link');
    assert.equal(links[1]!.params.get('rel'), 'next', 'the first occurrence of a parameter wins (§3.3)');
    assert.deepEqual(parseLinkHeader(['</x>; rel=a', '</y>; rel=b']).map((l) => l.target), ['/x', '/y'], 'repeated headers');
    assert.deepEqual(parseLinkHeader(undefined), []);
    assert.deepEqual(parseLinkHeader('no link here'), []);
    assert.deepEqual(parseLinkHeader('<unclosed; rel=x'), []);
  });

  it('finds the torrent: rel includes describedby, type is the torrent type, target resolved, http(s) only', () => {
    assert.equal(findTorrentLink(torrentLinkHeader('/iso/big.iso?torrent'), base)?.href, 'http://127.0.0.1:8080/iso/big.iso?torrent');
    assert.equal(findTorrentLink('<big.iso?torrent>; rel="alternate describedby"; type="Application/X-BitTorrent"', base)?.href, 'http://127.0.0.1:8080/iso/big.iso?torrent');
    assert.equal(findTorrentLink('</t>; rel="describedby"; type="text/html"', base), undefined, 'wrong type');
    assert.equal(findTorrentLink('</t>; rel="describes"; type="application/x-bittorrent"', base), undefined, 'wrong rel');
    assert.equal(findTorrentLink('<file:///etc/passwd>; rel="describedby"; type="application/x-bittorrent"', base), undefined, 'not http(s)');
    assert.equal(findTorrentLink('<ftp://h/t>; rel=describedby; type=application/x-bittorrent, </ok>; rel=describedby; type=application/x-bittorrent', base)?.pathname, '/ok');
  });

  it('never throws and stays bounded on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: fc.constantFrom('<', '>', ';', ',', '"', '\\', '=', ' ', 'a', 'rel', 'describedby', '/') }), (text) => {
        const links = parseLinkHeader(text);
        assert.ok(links.length <= MAX_LINKS);
        findTorrentLink(text, base);
      }),
      { numRuns: 2000, seed: 19 },
    );
    const many = Array.from({ length: 500 }, (_, i) => `</${i}>; rel=x`).join(', ');
    assert.ok(parseLinkHeader(many).length <= MAX_LINKS);
  });
});

describe('seed cache', () => {
  it('keys a file by path, size, mtime and inode', () => {
    const id = { size: 10, mtimeMs: 1000.5, ino: 7 };
    const key = seedCacheKey('/srv/a', id);
    assert.match(key, /^[0-9a-f]{40}$/);
    assert.equal(seedCacheKey('/srv/a', { ...id }), key);
    for (const other of [seedCacheKey('/srv/b', id), seedCacheKey('/srv/a', { ...id, size: 11 }), seedCacheKey('/srv/a', { ...id, mtimeMs: 1001 }), seedCacheKey('/srv/a', { ...id, ino: 8 })]) {
      assert.notEqual(other, key);
    }
  });

  it('re-stamps announce and url-list without changing the info hash, and checks what a torrent describes', async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'f.bin');
    const data = Buffer.alloc(100_000, 7);
    await writeFile(path, data);
    const made = await createTorrent(path, { trackers: ['http://old:1/announce', 'http://old:2/announce'], webSeeds: ['http://old:1/f.bin'], workers: 0 });
    const again = restamp(made, 'http://127.0.0.1:9/announce', 'http://127.0.0.1:9/f.bin');
    assert.deepEqual(again.metainfo.announce, [['http://127.0.0.1:9/announce']]);
    assert.deepEqual(again.metainfo.urlList, ['http://127.0.0.1:9/f.bin']);
    assert.ok(again.metainfo.infoHashV1!.equals(made.metainfo.infoHashV1!));
    assert.ok(again.metainfo.infoBytes.equals(made.metainfo.infoBytes));
    assert.equal(restamp(again, 'http://127.0.0.1:9/announce', 'http://127.0.0.1:9/f.bin'), again, 'nothing to change: the same object');
    assert.ok(describesFile(made.metainfo, 'f.bin', data.length));
    assert.ok(!describesFile(made.metainfo, 'g.bin', data.length));
    assert.ok(!describesFile(made.metainfo, 'f.bin', data.length + 1));
    assert.ok(made.metainfo.pieces!.subarray(0, 20).equals(createHash('sha1').update(data.subarray(0, made.metainfo.pieceLengthBytes)).digest()));
  });
});
