// The TFTP server under faults, driven by a raw UDP client: duplicate ACKs, lost ACKs, strangers, garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodePacket, encodeAck, encodeRequest, TftpServer, type TftpPacket } from '../../src/tftp/index.js';
import { tempDir } from '../helpers/tmp.js';

interface Received {
  packet: TftpPacket;
  port: number;
}

/** A UDP socket that queues what arrives, for step-by-step protocol tests. */
async function rawClient(t: { after: (fn: () => void) => void }): Promise<{ socket: Socket; next: (timeoutMs?: number) => Promise<Received | undefined>; drain: (ms: number) => Promise<Received[]> }> {
  const socket = createSocket('udp4');
  const queue: Received[] = [];
  let waiter: (() => void) | undefined;
  socket.on('message', (msg, rinfo) => {
    queue.push({ packet: decodePacket(msg), port: rinfo.port });
    waiter?.();
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.after(() => socket.close());
  const next = async (timeoutMs = 3000): Promise<Received | undefined> => {
    if (queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      waiter = undefined;
    }
    return queue.shift();
  };
  const drain = async (ms: number): Promise<Received[]> => {
    await new Promise((r) => setTimeout(r, ms));
    return queue.splice(0);
  };
  return { socket, next, drain };
}

async function startServer(t: { after: (fn: () => Promise<void> | void) => void }, files: Record<string, Buffer>): Promise<number> {
  const root = await tempDir(t);
  for (const [name, data] of Object.entries(files)) await writeFile(join(root, name), data);
  const server = new TftpServer({ root, port: 0, timeoutMs: 300, maxRetries: 3 });
  const { port } = await server.start();
  t.after(() => server.stop());
  return port;
}

test('duplicate ACKs cause no resend (no Sorcerer\'s Apprentice storm); a lost ACK is recovered by timeout', async (t) => {
  const port = await startServer(t, { 'f.bin': Buffer.alloc(512 * 3 + 10, 1) });
  const c = await rawClient(t);
  c.socket.send(encodeRequest('rrq', 'f.bin', 'octet'), port, '127.0.0.1');
  const first = await c.next();
  assert.equal(first?.packet.op, 'data');
  assert.notEqual(first!.port, port); // a fresh port for the transfer (RFC 1350 §4)
  const tid = first!.port;
  c.socket.send(encodeAck(1), tid, '127.0.0.1');
  const second = await c.next();
  assert.deepEqual([second?.packet.op, second?.packet.op === 'data' && second.packet.block], ['data', 2]);
  // Three duplicate ACKs of block 1: the server must not answer any of them with data.
  for (let i = 0; i < 3; i++) c.socket.send(encodeAck(1), tid, '127.0.0.1');
  const afterDupes = await c.drain(150);
  assert.deepEqual(afterDupes, []);
  // Do not acknowledge block 2: after the 300 ms timeout the server sends it again.
  const resent = await c.next(1000);
  assert.equal(resent?.packet.op === 'data' && resent.packet.block, 2);
  c.socket.send(encodeAck(2), tid, '127.0.0.1');
  const third = await c.next();
  assert.equal(third?.packet.op === 'data' && third.packet.block, 3);
  c.socket.send(encodeAck(3), tid, '127.0.0.1');
  const last = await c.next();
  assert.equal(last?.packet.op === 'data' && last.packet.data.length, 10);
  c.socket.send(encodeAck(4), tid, '127.0.0.1');
  assert.deepEqual(await c.drain(400), []); // finished: nothing more
});

test('a stranger gets ERROR 5 and the transfer goes on; silence ends it after the retry cap', async (t) => {
  const port = await startServer(t, { 'f.bin': Buffer.alloc(2000, 2) });
  const c = await rawClient(t);
  const stranger = await rawClient(t);
  c.socket.send(encodeRequest('rrq', 'f.bin', 'octet', new Map([['blksize', '1000']])), port, '127.0.0.1');
  const oack = await c.next();
  assert.deepEqual(oack?.packet, { op: 'oack', options: new Map([['blksize', '1000']]) });
  stranger.socket.send(encodeAck(0), oack!.port, '127.0.0.1');
  const err = await stranger.next();
  assert.deepEqual(err?.packet, { op: 'error', code: 5, message: 'unknown transfer ID' });
  c.socket.send(encodeAck(0), oack!.port, '127.0.0.1');
  const d1 = await c.next();
  assert.equal(d1?.packet.op === 'data' && d1.packet.data.length, 1000);
  // Now go silent: 1 send + 3 retransmissions, then nothing.
  const resends = await c.drain(1600);
  assert.equal(resends.length, 3);
  assert.ok(resends.every((r) => r.packet.op === 'data' && r.packet.block === 1));
});

test('error codes: not found (1), access violation (2), write refused (2), illegal packets (4)', async (t) => {
  const port = await startServer(t, { 'a.txt': Buffer.from('a') });
  const c = await rawClient(t);
  const ask = async (packet: Buffer): Promise<TftpPacket | undefined> => {
    c.socket.send(packet, port, '127.0.0.1');
    return (await c.next())?.packet;
  };
  assert.deepEqual(await ask(encodeRequest('rrq', 'missing', 'octet')), { op: 'error', code: 1, message: 'file not found' });
  assert.deepEqual(await ask(encodeRequest('rrq', '../etc/passwd', 'octet')), { op: 'error', code: 2, message: 'access violation' });
  assert.deepEqual(await ask(encodeRequest('rrq', '/', 'octet')), { op: 'error', code: 2, message: 'access violation' });
  assert.equal(((await ask(encodeRequest('wrq', 'new.txt', 'octet'))) as { code: number }).code, 2);
  assert.equal(((await ask(Buffer.from('\0\x01a.txt\0mail\0', 'latin1'))) as { code: number }).code, 4);
  assert.equal(((await ask(Buffer.from([0, 9, 1, 2]))) as { code: number }).code, 4);
});

test('fuzz: thousands of mutated requests never crash the server, which still serves afterwards', async (t) => {
  const port = await startServer(t, { 'a.txt': Buffer.from('still here') });
  const c = await rawClient(t);
  const seeds = [encodeRequest('rrq', 'a.txt', 'octet', new Map([['blksize', '1024'], ['windowsize', '4'], ['tsize', '0']])), encodeRequest('wrq', 'x', 'netascii'), encodeAck(1)];
  const samples = fc.sample(
    fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 5 }), fc.nat(), fc.uint8Array({ maxLength: 20 })),
    { numRuns: 2000, seed: 42 },
  );
  for (const [seed, flips, cut, tail] of samples) {
    const b = Buffer.from(seed);
    for (const [pos, val] of flips) b[pos % b.length] = val;
    c.socket.send(Buffer.concat([b.subarray(0, cut % (b.length + 1)), tail]), port, '127.0.0.1');
  }
  await c.drain(300);
  const fresh = await rawClient(t);
  fresh.socket.send(encodeRequest('rrq', 'a.txt', 'octet'), port, '127.0.0.1');
  const r = await fresh.next();
  assert.equal(r?.packet.op === 'data' && r.packet.data.toString(), 'still here');
});

test('options end to end: the OACK answers tsize with the file size, keeps blksize and timeout, and the timeout is honoured', async (t) => {
  const port = await startServer(t, { 'f.bin': Buffer.alloc(5000, 1) }); // the server's own timeout is 300 ms
  const c = await rawClient(t);
  c.socket.send(encodeRequest('rrq', 'f.bin', 'octet', new Map([['blksize', '1024'], ['tsize', '0'], ['timeout', '1']])), port, '127.0.0.1');
  const first = await c.next();
  const sentAt = Date.now();
  assert.equal(first?.packet.op, 'oack');
  assert.deepEqual(Object.fromEntries((first!.packet as { options: Map<string, string> }).options), { blksize: '1024', tsize: '5000', timeout: '1' });
  const again = await c.next(3000); // the OACK is not acknowledged: resent after the negotiated 1 s, not 300 ms
  assert.equal(again?.packet.op, 'oack');
  assert.ok(Date.now() - sentAt >= 900, `resent after ${Date.now() - sentAt} ms`);
  c.socket.send(encodeAck(0), first!.port, '127.0.0.1');
  const data = await c.next();
  assert.ok(data?.packet.op === 'data' && data.packet.block === 1 && data.packet.data.length === 1024);
  // RFC 2349: a timeout out of 1..255 is left out of the OACK, and the transfer goes on with the server's own.
  const d = await rawClient(t);
  d.socket.send(encodeRequest('rrq', 'f.bin', 'octet', new Map([['timeout', '0'], ['tsize', '0']])), port, '127.0.0.1');
  const oack = await d.next();
  assert.deepEqual(Object.fromEntries((oack!.packet as { options: Map<string, string> }).options), { tsize: '5000' });
});

test('error codes: server busy (0) past the transfer limit, disk full (3) for a write larger than accepted', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'a.bin'), Buffer.alloc(100_000, 2));
  const server = new TftpServer({ root, port: 0, timeoutMs: 300, maxRetries: 1, maxTransfers: 1, allowWrite: true });
  const { port } = await server.start();
  t.after(() => server.stop());
  const holder = await rawClient(t); // starts a transfer and leaves it waiting for its ACK
  holder.socket.send(encodeRequest('rrq', 'a.bin', 'octet'), port, '127.0.0.1');
  assert.equal((await holder.next())?.packet.op, 'data');
  const late = await rawClient(t);
  late.socket.send(encodeRequest('rrq', 'a.bin', 'octet'), port, '127.0.0.1');
  assert.deepEqual((await late.next())?.packet, { op: 'error', code: 0, message: 'server busy, try again later' });
  await new Promise((r) => setTimeout(r, 1000)); // the held transfer gives up (300 ms × 2 tries)
  const big = await rawClient(t);
  big.socket.send(encodeRequest('wrq', 'huge.bin', 'octet', new Map([['tsize', String(5 * 1024 ** 4)]])), port, '127.0.0.1');
  const refused = (await big.next())?.packet;
  assert.equal(refused?.op === 'error' && refused.code, 3);
});

test('a packet that has no place in a read (a WRQ on its port) gets ERROR 4, sent before the transfer closes', async (t) => {
  const port = await startServer(t, { 'f.bin': Buffer.alloc(2000, 3) });
  const c = await rawClient(t);
  c.socket.send(encodeRequest('rrq', 'f.bin', 'octet'), port, '127.0.0.1');
  const first = await c.next();
  assert.equal(first?.packet.op, 'data');
  c.socket.send(encodeRequest('wrq', 'x', 'octet'), first!.port, '127.0.0.1');
  const err = await c.next();
  assert.equal(err?.packet.op === 'error' && err.packet.code, 4);
  assert.equal(err!.port, first!.port);
  c.socket.send(encodeAck(1), first!.port, '127.0.0.1');
  assert.deepEqual(await c.drain(400), []); // the transfer is over: nothing more
});
