import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Metainfo, TorrentFile } from '../../src/metainfo/index.js';
import { encodeSegment, fileUrl, planPiece, rangeHeader, WebSeedError } from '../../src/webseed/index.js';

/** A Metainfo with just the geometry the planner reads (files with offsets, pad flags, piece length). */
function meta(name: string, files: [string, number, boolean?][], pieceLengthBytes: number, singleFile = false): Metainfo {
  let offset = 0;
  const list: TorrentFile[] = files.map(([path, length, pad]) => {
    const f = { path: path.split('/'), length, offset, pad: pad ?? false };
    offset += length;
    return f;
  });
  return {
    version: 'v1',
    name,
    pieceLengthBytes,
    files: list,
    singleFile,
    totalLengthBytes: offset,
    contentLengthBytes: list.filter((f) => !f.pad).reduce((n, f) => n + f.length, 0),
    pieceCount: Math.ceil(offset / pieceLengthBytes),
    infoBytes: Buffer.alloc(0),
    announce: [],
    urlList: [],
    private: false,
    pieceLayers: new Map(),
  };
}

describe('webseed URLs (BEP 19)', () => {
  const single = meta('movie.mkv', [['movie.mkv', 100]], 32, true);
  const multi = meta('My Album', [['disc 1/01 #intro?.flac', 10], ['cover.jpg', 5]], 16);
  const cases: [string, Metainfo, number, string][] = [
    ['single file, URL is the file', single, 0, 'http://h:8080/files/movie.mkv'],
    ['single file, URL is a folder', single, 0, 'http://h:8080/files/'],
    ['multi file, folder with slash', multi, 0, 'http://h/pub/'],
    ['multi file, folder without slash', multi, 1, 'http://h/pub'],
  ];
  const want = [
    'http://h:8080/files/movie.mkv',
    'http://h:8080/files/movie.mkv',
    'http://h/pub/My%20Album/disc%201/01%20%23intro%3F.flac',
    'http://h/pub/My%20Album/cover.jpg',
  ];
  cases.forEach(([title, m, i, base], k) => {
    it(title, () => assert.equal(fileUrl(base, m, i), want[k]));
  });

  it('percent-encodes every reserved character of a component, and non-ASCII as UTF-8', () => {
    assert.equal(encodeSegment("a/b?c#d%e!'()*"), 'a%2Fb%3Fc%23d%25e%21%27%28%29%2A');
    assert.equal(encodeSegment('été'), '%C3%A9t%C3%A9');
  });

  it('rejects a URL that is not absolute http(s) with a typed input error', () => {
    for (const bad of ['ftp://h/x', 'not a url', '/relative/path', 'file:///etc/passwd']) {
      assert.throws(() => fileUrl(bad, single, 0), (e: unknown) => e instanceof WebSeedError && e.code === 'WEBSEED_URL' && e.kind === 'input');
    }
  });
});

describe('webseed piece plans', () => {
  // files: a(10) empty(0) pad(6) b(20) c(3); pieces of 16: [0,16) [16,32) [32,39)
  const m = meta('t', [['a', 10], ['empty', 0], ['.pad/6', 6, true], ['b', 20], ['c', 3]], 16);
  const table: [string, number, number | undefined, number | undefined, [string, number, number, number][]][] = [
    // title, piece, begin, length, expected [file, start, length, bufferOffset]
    ['first piece: a whole, empty skipped, pad never requested', 0, undefined, undefined, [['a', 0, 10, 0]]],
    ['middle piece inside b', 1, undefined, undefined, [['b', 0, 16, 0]]],
    ['last short piece: end of b then c', 2, undefined, undefined, [['b', 16, 4, 0], ['c', 0, 3, 4]]],
    ['a block inside a piece', 2, 2, 3, [['b', 18, 2, 0], ['c', 0, 1, 2]]],
    ['a block that is only pad', 0, 10, 6, []],
  ];
  for (const [title, piece, begin, length, expected] of table) {
    it(title, () => {
      const plan = planPiece('http://s/', m, piece, begin, length);
      assert.deepEqual(
        plan.requests.map((r) => [m.files[r.fileIndex]!.path.join('/'), r.start, r.length, r.bufferOffset]),
        expected,
      );
    });
  }

  it('sizes the buffer from the piece and the block', () => {
    assert.equal(planPiece('http://s/', m, 0).length, 16);
    assert.equal(planPiece('http://s/', m, 2).length, 7);
    assert.equal(planPiece('http://s/', m, 2, 2, 3).length, 3);
  });

  it('writes Range headers with an inclusive last byte (RFC 9110 §14.1.2)', () => {
    assert.equal(rangeHeader({ start: 16, length: 4 }), 'bytes=16-19');
    assert.equal(rangeHeader({ start: 0, length: 1 }), 'bytes=0-0');
  });

  it('rejects pieces and blocks outside the torrent with typed errors', () => {
    const bad: [number, number?, number?][] = [[-1], [3], [1.5], [2, 0, 8], [0, -1, 2], [0, 10, 7]];
    for (const [p, b, l] of bad) {
      assert.throws(() => planPiece('http://s/', m, p, b, l), (e: unknown) => e instanceof WebSeedError && e.code === 'WEBSEED_RANGE');
    }
  });

  it('property: the requests of every piece tile its non-pad bytes exactly, once each, inside their files', () => {
    const fileArb = fc.record({ length: fc.integer({ min: 0, max: 70 }), pad: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fileArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 40 }), (files, pieceLength) => {
        const m2 = meta('r', files.map((f, i) => [`f${i}`, f.length, f.pad] as [string, number, boolean]), pieceLength);
        fc.pre(m2.totalLengthBytes > 0);
        for (let p = 0; p < m2.pieceCount; p++) {
          const plan = planPiece('http://s/', m2, p);
          const covered = new Uint8Array(plan.length);
          for (const r of plan.requests) {
            const f = m2.files[r.fileIndex]!;
            assert.ok(!f.pad && r.length > 0 && r.start >= 0 && r.start + r.length <= f.length);
            // The stream position of the request's bytes must equal the piece position they are copied to.
            assert.equal(f.offset + r.start, p * pieceLength + r.bufferOffset);
            for (let k = 0; k < r.length; k++) covered[r.bufferOffset + k]! += 1;
          }
          for (let k = 0; k < plan.length; k++) {
            const pos = p * pieceLength + k;
            const inPad = m2.files.some((f) => f.pad && pos >= f.offset && pos < f.offset + f.length);
            assert.equal(covered[k], inPad ? 0 : 1, `piece ${p} byte ${k}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
