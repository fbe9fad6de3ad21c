// Hostile web seeds on a raw socket: mutated HTTP answers to a ranged GET. Whatever comes back, fetchPiece must
// either return exactly the right bytes or reject with a typed WebSeedError, within its timeout, and give its
// request slot back.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebSeed, WebSeedError } from '../../src/webseed/index.js';
import { xorshift } from '../helpers/rng.js';
import { tempDir } from '../helpers/tmp.js';
import { patternBytes } from '../helpers/trees.js';
import { makeTorrent } from '../helpers/webseed-servers.js';

const CONTENT = patternBytes(40_000, 11);
const ROUNDS = 250;

function validAnswer(a: number, b: number): Buffer {
  const body = CONTENT.subarray(a, b + 1);
  const head = `HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${a}-${b}/${CONTENT.length}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const NASTY = ['Content-Range: bytes 0-99999999999999999/1', 'Content-Length: -1', 'Transfer-Encoding: chunked', 'Content-Range: bytes */40000', 'Location: /x', 'Content-Encoding: br', 'Retry-After: 99999999999', 'Content-Range: bytes 0-0/0'];

/** One mutation of a valid answer, chosen and shaped by `next`. */
function mutate(valid: Buffer, next: () => number): Buffer {
  const out = Buffer.from(valid);
  const headEnd = valid.indexOf('\r\n\r\n') + 4;
  switch (next() % 6) {
    case 0: // flip bytes, mostly in the head where the parsers live
      for (let i = 1 + (next() % 8); i > 0; i--) {
        const k = next() % headEnd;
        out[k] = out[k]! ^ (1 << (next() % 8));
      }
      return out;
    case 1: // truncate anywhere
      return out.subarray(0, next() % out.length);
    case 2: // a nasty header line added
      return Buffer.concat([valid.subarray(0, 17), Buffer.from(NASTY[next() % NASTY.length]! + '\r\n'), valid.subarray(17)]);
    case 3: // another status code
      return Buffer.concat([Buffer.from(`HTTP/1.1 ${100 + (next() % 500)} X\r\n`), valid.subarray(valid.indexOf('\r\n') + 2)]);
    case 4: // extra bytes after the body
      return Buffer.concat([valid, patternBytes(1 + (next() % 2000), next())]);
    default: // garbage only
      return patternBytes(next() % 600, next());
  }
}

describe('web seed fuzz', () => {
  it(`${ROUNDS} mutated answers: right bytes or a typed error, never a hang or a stray exception`, async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'f.bin'), CONTENT);
    const meta = await makeTorrent(join(dir, 'f.bin'), { webSeeds: [] });
    const next = xorshift(0x5eed);
    const sockets = new Set<Socket>();
    const server = createServer((sock) => {
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
      sock.once('data', (req) => {
        const m = /range: bytes=(\d+)-(\d+)/i.exec(req.toString('latin1'));
        const answer = mutate(validAnswer(Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)), next);
        sock.end(answer);
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.bin`;
    const codes = new Map<string, number>();
    let good = 0;
    for (let i = 0; i < ROUNDS; i++) {
      // A fresh seed each round: backoff from the previous round must not turn this one into "unavailable".
      const seed = new WebSeed({ url, meta, idleTimeoutMs: 300, requestTimeoutMs: 2_000 });
      await seed.start();
      const piece = i % meta.pieceCount;
      try {
        const data = await seed.fetchPiece(piece);
        const start = piece * meta.pieceLengthBytes;
        assert.deepEqual(data, CONTENT.subarray(start, start + data.length), `round ${i}: resolved with wrong bytes`);
        good++;
      } catch (err) {
        assert.ok(err instanceof WebSeedError, `round ${i}: ${String(err)}`);
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      } finally {
        assert.equal(seed.health.inFlight, 0);
        await seed.stop();
      }
    }
    // The mutations must actually reach several error paths, or the fuzz proves little.
    assert.ok(codes.size >= 3, JSON.stringify([...codes]));
    assert.ok(good > 0 && good < ROUNDS, `${good} good answers; ${JSON.stringify([...codes])}`);
  });
});
