// Fuzz targets for the byte and text codecs of the protocols around the peer: bencode, torrents, magnets, the
// trackers' HTTP and UDP faces, KRPC, TFTP, HTTP heads, LSD and FTP.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode, type BInput } from '../../src/bencode/index.js';
import { decodeMessage as decodeKrpc, encodeError as encodeKrpcError, encodeQuery, encodeResponse, type KrpcMessage, type QueryArgs } from '../../src/dht/krpc.js';
import { asNodeId } from '../../src/dht/node-id.js';
import { LineSplitter, parseCommand } from '../../src/ftp/codec.js';
import { parseLsLine, parseMlsxLine } from '../../src/ftp/listing.js';
import { parseEprt, parseEpsvReply, parseHostPortCommas, parsePasvReply } from '../../src/ftp/rfc2428.js';
import { parseRequestHead } from '../../src/http/h1-codec.js';
import { decodeAnnounce, encodeAnnounces } from '../../src/lsd/codec.js';
import { buildMagnet, createTorrent, parseMagnet, parseTorrent } from '../../src/metainfo/index.js';
import { decodePacket, encodeAck, encodeData, encodeError, encodeOack, encodeRequest, type TftpPacket } from '../../src/tftp/packets.js';
import { decodeRequest, decodeResponse, encodeAnnounce, type UdpResponse, encodeAnnounceResponse, encodeConnect, encodeConnectResponse, encodeErrorResponse, encodeScrape, encodeScrapeResponse } from '../../src/tracker/bep15-udp.js';
import { buildAnnounceUrl, encodeAnnounceReply, encodeFailure, encodeScrapeReply, parseAnnounceQuery, parseAnnounceResponse, parseScrapeQuery, parseScrapeResponse } from '../../src/tracker/http-codec.js';
import { parseRequestHead as parseTrackerHead } from '../../src/tracker/server/http-wire.js';
import { invariant, roundTrip, typedOnly, type FuzzTarget } from './target.js';

const IH = Buffer.alloc(20, 0x5a);
const BENCODE_TOKENS = ['i0e', 'i-1e', 'le', 'de', '0:', '4:spam', 'd', 'l', 'e', ':', 'i9223372036854775808e', '99999999999:'];
const HTTP_TOKENS = ['\r\n', '\n', ': ', '%', '%00', '%zz', '&', '=', '?', ' HTTP/1.1', '\x00', '\xff', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 99999999999999999999\r\n'];
const text = (b: Buffer): string => b.toString('latin1');

async function torrentSeeds(): Promise<Buffer[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-fuzz-'));
  try {
    await mkdir(join(dir, 'tree', 'sub'), { recursive: true });
    await writeFile(join(dir, 'tree', 'a.bin'), Buffer.alloc(40_000, 1));
    await writeFile(join(dir, 'tree', 'sub', 'b.txt'), 'hello');
    const made = await Promise.all((['v1', 'v2', 'hybrid'] as const).map((version) => createTorrent(join(dir, 'tree'), { version, pieceLengthBytes: 16384, trackers: ['http://127.0.0.1:1/a'] })));
    return made.map((m) => m.bytes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** TFTP's encoders, by packet type, for the round trip. */
function encodePacket(p: TftpPacket): Buffer {
  if (p.op === 'rrq' || p.op === 'wrq') return encodeRequest(p.op, p.filename, p.mode, p.options);
  if (p.op === 'data') return encodeData(p.block, p.data);
  if (p.op === 'ack') return encodeAck(p.block);
  if (p.op === 'error') return encodeError(p.code, p.message);
  return encodeOack(p.options);
}

/** KRPC's encoders, by message kind, for the round trip (an unknown method is sent back under its name). */
function encodeKrpc(m: KrpcMessage): Buffer {
  if (m.y === 'e') return encodeKrpcError(m.t, m.code, m.message);
  if (m.y === 'r') return encodeResponse(m.t, m, m.ip ? { ip: m.ip } : {});
  const options = { readOnly: m.readOnly, ...(m.want ? { want: m.want } : {}) };
  if (m.q !== 'unknown') return encodeQuery(m.t, m.id, m as QueryArgs, options);
  // The method's bytes as they came (the decoder reads them as latin1); tandem itself never sends one it does not know.
  const known = decode(encodeQuery(m.t, m.id, { q: 'ping' }, options)) as Map<string, BInput>;
  return encode(new Map(known).set('q', Buffer.from(m.method, 'latin1')));
}

/** BEP 15's response encoders (the tracker server's), by action, for the round trip. */
function encodeResponseOf(r: UdpResponse): Buffer {
  if (r.action === 'connect') return encodeConnectResponse(r.transactionId, r.connectionId);
  if (r.action === 'announce') return encodeAnnounceResponse(r.transactionId, r.intervalS, r.leechers, r.seeders, r.peers);
  if (r.action === 'scrape') return encodeScrapeResponse(r.transactionId, r.entries);
  return encodeErrorResponse(r.transactionId, r.message);
}

export const codecTargets: FuzzTarget[] = [
  {
    name: 'bencode',
    about: 'bencode.decode; a value it accepts re-encodes to the same bytes',
    seeds: () => ['d3:bar4:spam3:fooi42ee', 'l4:spami-3ee', 'd1:ad1:bl0:i0eee', '0:'].map((s) => Buffer.from(s)),
    tokens: BENCODE_TOKENS,
    run(input) {
      // tandem's decoder is strict (sorted keys, canonical integers), so an accepted input is canonical.
      const value = decode(input);
      invariant(encode(value).equals(input), 'decode then encode changed the bytes');
    },
  },
  {
    name: 'metainfo',
    about: 'parseTorrent of mutated v1, v2 and hybrid .torrent files',
    seeds: torrentSeeds,
    tokens: BENCODE_TOKENS.concat(['6:pieces', '12:piece length', '4:info', '9:file tree', '12:piece layers', '5:files', '4:path']),
    maxRandomBytes: 512,
    run(input) {
      // The info hashes are those of the info dictionary's bytes as they stand in the file (BEP 3, BEP 52).
      const meta = parseTorrent(input);
      if (meta.infoHashV1) invariant(meta.infoHashV1.equals(createHash('sha1').update(meta.infoBytes).digest()), 'infoHashV1 is not the SHA-1 of the info bytes');
      if (meta.infoHashV2) invariant(meta.infoHashV2.equals(createHash('sha256').update(meta.infoBytes).digest()), 'infoHashV2 is not the SHA-256 of the info bytes');
      // v1 pieces run across the files end to end (v2's start again at each file).
      const total = meta.files.reduce((n, f) => n + f.length, 0);
      if (meta.pieces) invariant(meta.pieces.length === 20 * meta.pieceCount && meta.pieceCount === Math.ceil(total / meta.pieceLengthBytes), 'v1 piece count does not fit the files');
    },
  },
  {
    name: 'magnet',
    about: 'parseMagnet of mutated magnet URIs (v1, v2, hybrid, trackers, peers, select-only)',
    seeds: () =>
      [
        `magnet:?xt=urn:btih:${IH.toString('hex')}&dn=a%20b&tr=http%3A%2F%2F127.0.0.1%3A1%2Fa&x.pe=127.0.0.1:6881&so=0,2-4`,
        'magnet:?xt=urn:btih:LJNFUWS2LJNFUWS2LJNFUWS2LJNFUWS2&ws=http://x/y',
        `magnet:?xt=urn:btmh:1220${'ab'.repeat(32)}&xt=urn:btih:${IH.toString('hex')}`,
      ].map((s) => Buffer.from(s)),
    tokens: ['&', '=', '%', '%2', 'xt=', 'urn:btih:', 'urn:btmh:', 'so=', '-', ',', 'tr='],
    // A link it parsed, built again, parses to the same link.
    run: (input) => roundTrip(input, (b) => parseMagnet(text(b)), (link) => Buffer.from(buildMagnet(link), 'latin1')),
  },
  {
    name: 'tracker-http-query',
    about: 'the tracker server parsing announce and scrape query strings',
    seeds: () => {
      const url = buildAnnounceUrl('/announce', { infoHash: IH, peerId: Buffer.alloc(20, 1), port: 6881, uploaded: 0, downloaded: 0, left: 5, event: 'started', numwant: 10 });
      return [Buffer.from(url.slice(url.indexOf('?') + 1)), Buffer.from(`info_hash=${'%5a'.repeat(20)}&info_hash=${'%5b'.repeat(20)}`)];
    },
    tokens: ['%', '%2', '&', '=', 'info_hash=', 'port=', 'compact=1', 'numwant=', 'ip=', 'event='],
    run(input) {
      const q = text(input);
      const a = typedOnly(() => parseAnnounceQuery(q, 50, 200));
      const s = typedOnly(() => parseScrapeQuery(q, 100));
      return a || s;
    },
  },
  {
    name: 'tracker-http-response',
    about: 'the tracker client parsing bencoded announce and scrape replies',
    seeds: () => {
      const peers = Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]);
      const reply = { intervalS: 1800, minIntervalS: 60, complete: 1, incomplete: 2, downloaded: 3, v4: peers, v6: Buffer.alloc(18, 1), v4Ids: [Buffer.alloc(20, 7)], v6Ids: [Buffer.alloc(20, 8)] };
      return [
        encodeAnnounceReply(reply, true, false),
        encodeAnnounceReply(reply, false, false),
        encodeFailure('go away'),
        encodeScrapeReply([{ infoHash: IH, complete: 1, downloaded: 2, incomplete: 3 }]),
      ];
    },
    tokens: BENCODE_TOKENS.concat(['5:peers', '6:peers6', '8:interval', '5:files', '14:failure reason']),
    run(input) {
      const a = typedOnly(() => parseAnnounceResponse(input));
      const s = typedOnly(() => parseScrapeResponse(input));
      return a || s;
    },
  },
  {
    name: 'tracker-udp-request',
    about: 'the UDP tracker (BEP 15) decoding connect, announce and scrape requests',
    seeds: () => [
      encodeConnect(2),
      encodeAnnounce({ connectionId: 5n, transactionId: 3, infoHash: IH, peerId: Buffer.alloc(20, 2), downloaded: 0, left: 1, uploaded: 0, event: 'started', key: 1, numWant: 5, port: 7000, urlData: '/x/announce' }),
      encodeScrape(5n, 4, [IH, IH]),
    ],
    run: (input) => decodeRequest(input, 1500),
  },
  {
    name: 'tracker-udp-response',
    about: 'the UDP tracker client (BEP 15) decoding connect, announce, scrape and error replies',
    seeds: () => [
      encodeConnectResponse(1, 77n),
      encodeAnnounceResponse(2, 1800, 1, 2, Buffer.from([127, 0, 0, 1, 0x1a, 0xe1])),
      encodeScrapeResponse(3, [{ seeders: 1, completed: 2, leechers: 3 }]),
      encodeErrorResponse(4, 'no'),
    ],
    run: (input) => roundTrip(input, decodeResponse, encodeResponseOf),
  },
  {
    name: 'tracker-http-head',
    about: 'the tracker server reading an HTTP request head',
    seeds: () => [Buffer.from(`GET /announce?info_hash=${'%5a'.repeat(20)}&port=1 HTTP/1.1\r\nHost: x\r\n\r\n`), Buffer.from('GET /scrape HTTP/1.0\r\n\r\n')],
    tokens: HTTP_TOKENS,
    run: (input) => parseTrackerHead(input, 8192).kind === 'head',
  },
  {
    name: 'krpc',
    about: 'DHT (BEP 5, 32, 43) datagrams: queries, responses, errors',
    seeds: () => {
      const t = Buffer.from('aa');
      const id = asNodeId(Buffer.alloc(20, 3));
      return [
        encodeQuery(t, id, { q: 'ping' }),
        encodeQuery(t, id, { q: 'find_node', target: Buffer.alloc(20, 4) }, { want: [4, 6], readOnly: true }),
        encodeQuery(t, id, { q: 'announce_peer', infoHash: IH, port: 6881, impliedPort: true, token: Buffer.from('tok') }),
        encodeResponse(t, { id, nodes: [{ id: asNodeId(Buffer.alloc(20, 5)), host: '127.0.0.1', port: 6881 }], values: [{ host: '127.0.0.1', port: 1 }], token: Buffer.from('x') }),
        encodeKrpcError(t, 203, 'bad'),
      ];
    },
    tokens: BENCODE_TOKENS.concat(['1:y1:q', '1:y1:r', '1:y1:e', '1:q4:ping', '5:nodes', '6:nodes6', '6:values', '4:want']),
    run: (input) => roundTrip(input, decodeKrpc, encodeKrpc),
  },
  {
    name: 'tftp',
    about: 'TFTP packets (RFC 1350, 2347-2349, 7440)',
    seeds: () => [
      encodeRequest('rrq', 'a/b.txt', 'octet', new Map([['blksize', '1428'], ['tsize', '0'], ['windowsize', '4']])),
      encodeRequest('wrq', 'x', 'netascii'),
      encodeOack(new Map([['blksize', '512']])),
      encodeError(1, 'not found'),
      encodeAck(7),
      encodeData(1, Buffer.from('hello')),
    ],
    tokens: ['\0', 'octet\0', 'netascii\0', 'blksize\0', 'tsize\0', 'timeout\0', 'windowsize\0'],
    run: (input) => roundTrip(input, decodePacket, encodePacket),
  },
  {
    name: 'http-head',
    about: "the file server's HTTP/1.1 request head parser (src/http/h1-codec.ts), which must never throw",
    seeds: () =>
      [
        'GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-2,4-\r\n\r\n',
        'HEAD /d/ HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nIf-None-Match: "a", W/"b"\r\n\r\n',
        'PUT /x HTTP/1.0\r\nContent-Length: 5\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n',
      ].map((s) => Buffer.from(s, 'latin1')),
    tokens: HTTP_TOKENS,
    run(input) {
      const parsed = parseRequestHead(input, { maxHeadBytes: 16384, maxHeaderCount: 100 });
      invariant(parsed.kind === 'head' || parsed.kind === 'bad', 'neither a head nor a refusal');
      return parsed.kind === 'head';
    },
  },
  {
    name: 'lsd',
    about: 'Local Service Discovery (BEP 14) announces',
    seeds: () => encodeAnnounces({ host: '239.192.152.143:6771', port: 6881, infoHashes: [IH, Buffer.alloc(20, 1)], cookie: 'c00k1e' }),
    tokens: HTTP_TOKENS.concat(['Infohash: ', 'Port: ', 'BT-SEARCH * HTTP/1.1\r\n']),
    run: (input) => roundTrip(input, decodeAnnounce, (a) => encodeAnnounces(a)[0]!),
  },
  {
    name: 'ftp-command',
    about: 'the FTP server splitting the control stream into commands and parsing PORT/EPRT arguments',
    seeds: () => [Buffer.from('USER ftp\r\nPASS x\r\nEPRT |1|127.0.0.1|6446|\r\nPORT 127,0,0,1,25,46\r\nRETR a b.txt\r\n\xff\xf4\xff\xf2ABOR\r\n', 'latin1')],
    tokens: ['\r\n', '\n', '\xff', '\xff\xff', '|', ',', 'EPRT |2|::1|', 'PORT ', 'STOR ', ' '],
    run(input) {
      const split = new LineSplitter(4096).push(input);
      let commands = 0;
      for (const line of split.lines) {
        const c = parseCommand(line);
        if (!c) continue;
        commands++;
        invariant(/^[A-Z]{3,4}$/.test(c.verb), `verb ${c.verb}`);
        if (c.verb === 'EPRT') parseEprt(c.arg);
        if (c.verb === 'PORT') parseHostPortCommas(c.arg);
      }
      // Refused: a line too long, or not one command in it (the server answers 500).
      return commands > 0 && !split.tooLong;
    },
  },
  {
    name: 'ftp-reply',
    about: 'the FTP client parsing PASV/EPSV replies and MLSD/LIST lines',
    seeds: () =>
      [
        '227 Entering Passive Mode (127,0,0,1,25,46)',
        '229 Entering Extended Passive Mode (|||6446|)',
        'type=file;size=5;modify=20240101000000; a b.txt',
        '-rw-r--r--   1 ftp ftp        5 Jan 01 00:00 a b.txt',
      ].map((s) => Buffer.from(s)),
    tokens: ['(', ')', ',', '|', ';', '=', ' ', 'type=dir;', 'size='],
    run(input) {
      const line = input.toString('utf8');
      const parsed = [parsePasvReply(line), parseEpsvReply(line), parseMlsxLine(line), parseLsLine(line)];
      return parsed.some((p) => p !== undefined);
    },
  },
];
