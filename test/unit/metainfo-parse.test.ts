import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encode, type BInput } from '../../src/bencode/index.js';
import { MetainfoError, parseTorrent, fileTree } from '../../src/metainfo/index.js';

const PL = 16384;
const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();

/** v1 piece hashes over a byte stream. */
function piecesOf(stream: Buffer, pl = PL): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i += pl) out.push(sha1(stream.subarray(i, i + pl)));
  return Buffer.concat(out);
}

/** A tiny v1 single-file torrent: 13 bytes in one piece (STYLE.md 20). */
function greeting(extra: Record<string, BInput> = {}, info: Record<string, BInput> = {}): Buffer {
  const data = Buffer.from('hello, world\n');
  return encode({ announce: 'http://127.0.0.1:1/announce', info: { length: data.length, name: 'greeting.txt', 'piece length': PL, pieces: piecesOf(data), ...info }, ...extra });
}

function expectInvalid(bytes: Buffer, message: string | RegExp): void {
  assert.throws(
    () => parseTorrent(bytes),
    (err: unknown) => err instanceof MetainfoError && err.code === 'METAINFO_INVALID' && err.kind === 'input' && (typeof message === 'string' ? err.message === message : message.test(err.message)),
  );
}

test('parses a v1 single-file torrent', () => {
  const bytes = greeting({ comment: 'hi', 'created by': 'me', 'creation date': 1700000000, 'url-list': 'http://127.0.0.1:2/greeting.txt' });
  const m = parseTorrent(bytes);
  assert.equal(m.version, 'v1');
  assert.equal(m.name, 'greeting.txt');
  assert.equal(m.singleFile, true);
  assert.equal(m.contentLengthBytes, 13);
  assert.equal(m.pieceCount, 1);
  assert.deepEqual(m.announce, [['http://127.0.0.1:1/announce']]);
  assert.deepEqual(m.urlList, ['http://127.0.0.1:2/greeting.txt']);
  assert.equal(m.comment, 'hi');
  assert.equal(m.creationDate, 1700000000);
  const infoStart = bytes.indexOf('4:infod') + 6;
  // The info dictionary is followed by url-list, the last key: hash exactly the bytes between.
  assert.deepEqual(m.infoHashV1, sha1(bytes.subarray(infoStart, bytes.indexOf('8:url-list'))));
  assert.equal(m.infoHashV2, undefined);
});

test('parses a v1 multi-file torrent with BEP 47 pad files, BEP 12 tiers and BEP 27 private', () => {
  const a = Buffer.alloc(20000, 1);
  const stream = Buffer.concat([a, Buffer.alloc(PL * 2 - 20000), Buffer.alloc(5, 2)]);
  const m = parseTorrent(
    encode({
      'announce-list': [['http://127.0.0.1:1/a', 'http://127.0.0.1:2/a'], ['udp://127.0.0.1:3']],
      'url-list': ['http://127.0.0.1:4/'],
      info: {
        files: [
          { length: 20000, path: ['dir', 'a.bin'] },
          { attr: 'p', length: PL * 2 - 20000, path: ['.pad', String(PL * 2 - 20000)] },
          { length: 5, path: ['b'] },
          { length: 0, path: ['empty'] },
        ],
        name: 'set',
        'piece length': PL,
        pieces: piecesOf(stream),
        private: 1,
      },
    }),
  );
  assert.equal(m.singleFile, false);
  assert.equal(m.private, true);
  assert.deepEqual(m.announce, [['http://127.0.0.1:1/a', 'http://127.0.0.1:2/a'], ['udp://127.0.0.1:3']]);
  assert.deepEqual(m.files.map((f) => [f.path.join('/'), f.offset, f.pad]), [['dir/a.bin', 0, false], [`.pad/${PL * 2 - 20000}`, 20000, true], ['b', PL * 2, false], ['empty', PL * 2 + 5, false]]);
  assert.equal(m.totalLengthBytes, PL * 2 + 5);
  assert.equal(m.contentLengthBytes, 20005);
  assert.equal(m.pieceCount, 3);
});

test('names what is wrong with a bad v1 torrent', () => {
  expectInvalid(greeting({}, { pieces: Buffer.alloc(41) }), 'pieces is 41 bytes, not a multiple of 20');
  expectInvalid(greeting({}, { pieces: Buffer.alloc(40) }), 'pieces holds 2 hashes but 13 bytes in pieces of 16384 need 1');
  expectInvalid(greeting({}, { 'piece length': 1000 }), /^piece length is 1000, not a power of two/);
  expectInvalid(greeting({}, { 'piece length': 8192 }), /^piece length is 8192/);
  expectInvalid(greeting({}, { length: -1 }), 'length is -1, which is negative');
  expectInvalid(greeting({}, { name: '..' }), 'name has the path component ".."');
  expectInvalid(greeting({}, { name: 'a/b' }), /^name has a path component with/);
  expectInvalid(greeting({}, { name: '' }), 'name has an empty path component');
  expectInvalid(encode({ info: 'x' }), 'info is not a dictionary');
  expectInvalid(encode({ announce: 'x' }), 'info is missing');
  expectInvalid(Buffer.from('d4:info'), /^not a torrent file: /);
  expectInvalid(Buffer.from('le'), 'not a torrent file: the top level is not a dictionary');
});

test('refuses file paths that would leave the torrent folder', () => {
  const bad = [['..', 'etc'], ['a', '.'], ['a\\b'], ['/etc/passwd'], ['a\0b'], [], ['']];
  for (const path of bad) {
    const bytes = encode({ info: { files: [{ length: 13, path }], name: 'n', 'piece length': PL, pieces: Buffer.alloc(20) } });
    assert.throws(() => parseTorrent(bytes), MetainfoError, `path ${JSON.stringify(path)} must be refused`);
  }
});

/** A v2 (or hybrid) torrent of the given files, with correct roots and layers. */
function v2Torrent(files: { path: string[]; data: Buffer }[], pl: number, hybrid: boolean): Buffer {
  const tree = new Map<string, BInput>();
  const layers = new Map<string, BInput>();
  const stream: Buffer[] = [];
  const v1files: BInput[] = [];
  for (const f of files) {
    const leaves: Buffer[] = [];
    for (let i = 0; i < f.data.length; i += 16384) leaves.push(createHash('sha256').update(f.data.subarray(i, i + 16384)).digest());
    let node = tree;
    for (const c of f.path.slice(0, -1)) {
      if (!node.has(c)) node.set(c, new Map());
      node = node.get(c) as Map<string, BInput>;
    }
    const leaf: Record<string, BInput> = { length: f.data.length };
    if (f.data.length > 0) {
      const { root, pieceLayer } = fileTree(Buffer.concat(leaves), pl);
      leaf['pieces root'] = root;
      if (pieceLayer) layers.set(root.toString('latin1'), pieceLayer);
    }
    node.set(f.path.at(-1)!, new Map([['', leaf]]));
    stream.push(f.data);
    v1files.push({ length: f.data.length, path: f.path });
    const gap = (pl - (f.data.length % pl)) % pl;
    if (gap) {
      stream.push(Buffer.alloc(gap));
      v1files.push({ attr: 'p', length: gap, path: ['.pad', String(gap)] });
    }
  }
  const info: Record<string, BInput> = { 'file tree': tree, 'meta version': 2, name: 'v2set', 'piece length': pl };
  if (hybrid) Object.assign(info, { files: v1files, pieces: piecesOf(Buffer.concat(stream), pl) });
  return encode({ info, 'piece layers': layers });
}

const v2files = [
  { path: ['big.bin'], data: Buffer.alloc(PL * 3 + 100, 7) },
  { path: ['sub', 'empty'], data: Buffer.alloc(0) },
  { path: ['sub', 'small'], data: Buffer.from('tiny') },
];

test('parses v2 and hybrid torrents and checks piece layers against pieces roots', () => {
  const v2 = parseTorrent(v2Torrent(v2files, PL, false));
  assert.equal(v2.version, 'v2');
  assert.equal(v2.infoHashV1, undefined);
  assert.equal(v2.infoHashV2!.length, 32);
  assert.deepEqual(v2.files.map((f) => [f.path.join('/'), f.length, f.offset]), [['big.bin', PL * 3 + 100, 0], ['sub/empty', 0, PL * 4], ['sub/small', 4, PL * 4]]);
  assert.equal(v2.pieceLayers.size, 1);
  const hybrid = parseTorrent(v2Torrent(v2files, PL, true));
  assert.equal(hybrid.version, 'hybrid');
  assert.equal(hybrid.infoHashV1!.length, 20);
  assert.ok(hybrid.files.filter((f) => !f.pad).every((f) => f.length === 0 || f.piecesRoot?.length === 32));
});

test('names what is wrong with a bad v2 torrent', () => {
  const good = v2Torrent(v2files, PL, false);
  const layerAt = good.indexOf('12:piece layers');
  // Corrupt one byte of the piece layer: it no longer hashes to its root.
  const tampered = Buffer.from(good);
  tampered[tampered.length - 3]! ^= 1;
  assert.ok(layerAt > 0);
  expectInvalid(tampered, 'piece layers entry for big.bin does not hash to its pieces root');
  expectInvalid(encode({ info: { 'file tree': new Map([['a', new Map([['', { length: 1 }]])]]), 'meta version': 2, name: 'n', 'piece length': PL } }), 'file tree entry "a" has no pieces root');
  expectInvalid(encode({ info: { 'file tree': new Map(), 'meta version': 2, name: 'n', 'piece length': PL } }), 'file tree holds no files');
  expectInvalid(encode({ info: { 'file tree': new Map([['..', new Map([['', { length: 0 }]])]]), 'meta version': 2, name: 'n', 'piece length': PL } }), 'file tree entry ".." has the path component ".."');
  expectInvalid(encode({ info: { 'file tree': new Map(), 'meta version': 3, name: 'n', 'piece length': PL } }), 'meta version is 3, not 2');
  // The same info dictionary, byte for byte, without its piece layers.
  const noLayers = Buffer.concat([Buffer.from('d4:info'), parseTorrent(good).infoBytes, Buffer.from('e')]);
  expectInvalid(noLayers, 'piece layers has no entry for big.bin');
});

test('a hybrid whose v1 and v2 halves disagree is refused', () => {
  const good = v2Torrent(v2files, PL, true);
  // Rename the v1 entry of sub/small (5:small appears in the v1 list and in the tree; change the v1 one only).
  const at = good.indexOf('4:pathl3:sub5:small');
  assert.ok(at > 0);
  const bad = Buffer.from(good);
  bad.write('4:pathl3:sub5:smalx', at, 'latin1');
  expectInvalid(bad, /^hybrid torrent disagrees on file 2/);
});
