import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { encode } from '../../src/bencode/index.js';
import { decodeMessage, encodeError, encodeQuery, encodeResponse, KrpcDecodeError, type KrpcQuery } from '../../src/dht/krpc.js';
import { decodeNodes, decodePeer, encodeNodes, encodePeer } from '../../src/dht/compact.js';
import { DhtError } from '../../src/dht/errors.js';
import { asNodeId } from '../../src/dht/node-id.js';

const id = asNodeId(Buffer.alloc(20, 0x11));
const target = asNodeId(Buffer.alloc(20, 0x22));
const t = Buffer.from('aa');

test('BEP 5 example ping query decodes byte for byte', () => {
  const m = decodeMessage(Buffer.from('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe'));
  assert.equal(m.y, 'q');
  assert.equal((m as KrpcQuery).q, 'ping');
  assert.equal(m.t.toString(), 'aa');
  assert.equal((m as KrpcQuery).id.toString(), 'abcdefghij0123456789');
});

test('BEP 5 example announce_peer with implied_port', () => {
  const raw = 'd1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe';
  const m = decodeMessage(Buffer.from(raw));
  assert.ok(m.y === 'q' && m.q === 'announce_peer');
  assert.equal(m.impliedPort, true);
  assert.equal(m.port, 6881);
  assert.equal(m.token.toString(), 'aoeusnth');
  assert.equal(m.infoHash.toString(), 'mnopqrstuvwxyz123456');
});

test('queries round-trip through encodeQuery/decodeMessage, with BEP 32 want and BEP 43 ro', () => {
  const q = decodeMessage(encodeQuery(t, id, { q: 'find_node', target }, { want: [4, 6], readOnly: true }));
  assert.ok(q.y === 'q' && q.q === 'find_node');
  assert.deepEqual(q.target, target);
  assert.deepEqual(q.want, [4, 6]);
  assert.equal(q.readOnly, true);
  const g = decodeMessage(encodeQuery(t, id, { q: 'get_peers', infoHash: target }));
  assert.ok(g.y === 'q' && g.q === 'get_peers' && g.readOnly === false && g.want === undefined);
  const a = decodeMessage(encodeQuery(t, id, { q: 'announce_peer', infoHash: target, port: 0, impliedPort: true, token: Buffer.from('tok') }));
  assert.ok(a.y === 'q' && a.q === 'announce_peer' && a.impliedPort && a.port === 0);
});

test('responses carry nodes, nodes6, values and token; errors carry code and text', () => {
  const nodes = [{ id, host: '127.0.0.1', port: 6881 }];
  const nodes6 = [{ id: target, host: '::1', port: 7000 }];
  const values = [{ host: '10.1.2.3', port: 51413 }, { host: '2001:db8::1', port: 1 }];
  const r = decodeMessage(encodeResponse(t, { id, nodes, nodes6, values, token: Buffer.from('x') }, { ip: { host: '1.2.3.4', port: 5 } }));
  assert.ok(r.y === 'r');
  assert.deepEqual(r.nodes, nodes);
  assert.deepEqual(r.nodes6, nodes6);
  assert.deepEqual(r.values, values);
  assert.deepEqual(r.ip, { host: '1.2.3.4', port: 5 });
  const e = decodeMessage(encodeError(t, 203, 'bad token'));
  assert.deepEqual(e, { y: 'e', t, code: 203, message: 'bad token' });
});

test('an unknown method decodes as "unknown" so the node can answer 204', () => {
  const m = decodeMessage(encode({ t: 'x', y: 'q', q: 'vote', a: { id } }));
  assert.ok(m.y === 'q' && m.q === 'unknown' && m.method === 'vote');
});

test('a bad argument in a query keeps its transaction id (for a 203 answer)', () => {
  const bad = encode({ t: 'zz', y: 'q', q: 'find_node', a: { id, target: 'short' } });
  assert.throws(() => decodeMessage(bad), (err: unknown) => err instanceof KrpcDecodeError && err.code === 'KRPC_BAD_FIELD' && err.transactionId?.toString() === 'zz');
  const noPort = encode({ t: 'zz', y: 'q', q: 'announce_peer', a: { id, info_hash: target, token: 'k' } });
  assert.throws(() => decodeMessage(noPort), KrpcDecodeError);
});

test('malformed datagrams give typed errors', () => {
  const cases = ['', 'i1e', 'le', 'd1:y1:qe', 'd1:t0:1:y1:qe', 'd1:t1:a1:y1:xe', 'd1:t1:a1:y1:re', 'd1:rd2:id3:abce1:t1:a1:y1:re', 'd1:t1:a1:y1:ee'];
  for (const c of cases) assert.throws(() => decodeMessage(Buffer.from(c)), (err: unknown) => err instanceof DhtError && err.kind === 'input', c);
  const badNodes = encode({ t: 'a', y: 'r', r: { id, nodes: Buffer.alloc(27) } });
  assert.throws(() => decodeMessage(badNodes), /multiple of 26/);
  const badValue = encode({ t: 'a', y: 'r', r: { id, values: [Buffer.alloc(5)] } });
  assert.throws(() => decodeMessage(badValue), /6 or 18/);
});

test('compact peers and nodes round-trip for IPv4 and IPv6', () => {
  for (const host of ['0.0.0.0', '255.255.255.255', '::', '::1', 'fe80::1:2', '2001:db8:0:0:1::1', '1:2:3:4:5:6:7:8']) {
    const p = decodePeer(encodePeer({ host, port: 65535 }));
    assert.equal(p.port, 65535);
    assert.equal(encodePeer(p).equals(encodePeer({ host, port: 65535 })), true, host);
  }
  assert.equal(decodePeer(encodePeer({ host: '2001:db8:0:0:1::1', port: 1 })).host, '2001:db8::1:0:0:1');
  const nodes = [{ id, host: '127.0.0.1', port: 1 }, { id: target, host: '127.0.0.2', port: 2 }];
  assert.deepEqual(decodeNodes(encodeNodes(nodes), 4), nodes);
});

test('fuzz: mutated KRPC datagrams only ever raise DhtError', () => {
  const seeds = [
    encodeQuery(t, id, { q: 'ping' }),
    encodeQuery(t, id, { q: 'find_node', target }, { want: [4, 6] }),
    encodeQuery(t, id, { q: 'announce_peer', infoHash: target, port: 6881, impliedPort: false, token: Buffer.from('tok') }),
    encodeResponse(t, { id, nodes: [{ id, host: '127.0.0.1', port: 1 }], values: [{ host: '::1', port: 2 }], token: Buffer.from('k') }),
    encodeError(t, 201, 'x'),
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { maxLength: 8 }), (which, edits) => {
      let buf = Buffer.from(seeds[which]!);
      for (const [pos, byte, op] of edits) {
        const at = buf.length === 0 ? 0 : pos % buf.length;
        if (op === 0 && buf.length > 0) buf[at] = byte;
        else if (op === 1) buf = Buffer.concat([buf.subarray(0, at), Buffer.from([byte]), buf.subarray(at)]);
        else buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1)]);
      }
      try {
        decodeMessage(buf);
      } catch (err) {
        if (!(err instanceof DhtError)) throw err;
      }
    }),
    { numRuns: 20_000 },
  );
  for (let i = 0; i < 5_000; i++) {
    try {
      decodeMessage(randomBytes(i % 300));
    } catch (err) {
      assert.ok(err instanceof DhtError, String(err));
    }
  }
});
