// issue 16, the UDP servers: a flood from one address (127.0.0.2) does not stop another client (127.0.0.1). The
// TFTP request port and the UDP tracker charge each source address a token bucket (util/source-limiter.ts) and
// drop the rest unanswered; TFTP also caps the transfers one address may run at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { encodeRequest } from '../../src/tftp/packets.js';
import { decodeResponse, encodeAnnounce, encodeConnect } from '../../src/tracker/bep15-udp.js';
import { startDaemon } from '../helpers/daemon.js';
import { freeUdpPort } from '../helpers/ports.js';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

type After = { after: (fn: () => void) => void };

/** `count` UDP sockets bound to 127.0.0.2 (another source address on loopback), closed when the test ends. */
async function floodSockets(t: After, count: number): Promise<Socket[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, () => new Promise<Socket>((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.2', () => resolve(s));
    })),
  );
  t.after(() => sockets.forEach((s) => s.close()));
  return sockets;
}

/** Sends `packet` from every socket, `rounds` times, a round per turn so the test's own work goes on. */
async function flood(sockets: Socket[], port: number, packet: Buffer, rounds: number): Promise<number> {
  let sent = 0;
  for (let r = 0; r < rounds; r++) {
    try {
      for (const s of sockets) {
        s.send(packet, port, '127.0.0.1');
        sent++;
      }
    } catch {
      return sent; // the test ended and closed the sockets
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}

test('tftp: 300 sockets on one address flooding requests cannot take the slots; another client downloads meanwhile', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(200_000);
  await writeFile(join(dir, 'file.bin'), data);
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', dir, '--tftp', '127.0.0.1:0']);
  const port = Number((await waitForLine(server, /tftp: serving .* at tftp:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  // Each flood socket asks for the file and never acknowledges: before the limits, 256 such transfers filled every
  // slot for about 6 s (5 retransmissions) and the honest client was told "server busy".
  const sockets = await floodSockets(t, 300);
  const answered = new Set<Socket>();
  for (const s of sockets) s.on('message', (msg) => msg.readUInt16BE(0) === 3 && answered.add(s)); // DATA: a transfer started
  const flooding = flood(sockets, port, encodeRequest('rrq', 'file.bin', 'octet'), 20);
  await new Promise((r) => setTimeout(r, 100));
  const out = join(dir, 'got');
  const got = await tandem(['get', `tftp://127.0.0.1:${port}/file.bin`, '-o', out], { timeoutMs: 60_000 });
  const sent = await flooding;
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(await readFile(join(out, 'file.bin')), data);
  assert.ok(sent >= 6_000, `the flood sent ${sent} requests`);
  assert.ok(answered.size > 0 && answered.size <= 16, `${answered.size} flood sockets got a transfer (at most 16 per address)`);
});

test('udp tracker (the daemon\'s): a flood of connects from one address is cut to its rate; another client announces meanwhile', async (t) => {
  const port = await freeUdpPort();
  await startDaemon(t, await tempDir(t), ['--tracker-udp', `127.0.0.1:${port}`]);
  const sockets = await floodSockets(t, 20);
  let replies = 0;
  for (const s of sockets) s.on('message', () => replies++);
  const started = Date.now();
  const flooding = flood(sockets, port, encodeConnect(7), 1_000);

  // The honest client: connect, then announce, each resent every 300 ms until answered (a bounded loop).
  const honest = createSocket('udp4');
  t.after(() => honest.close());
  await new Promise<void>((resolve) => honest.bind(0, '127.0.0.1', () => resolve()));
  const ask = async (packet: Buffer, action: string): Promise<ReturnType<typeof decodeResponse>> => {
    for (let attempt = 0; attempt < 30; attempt++) {
      const reply = new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 300);
        honest.once('message', (m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
      honest.send(packet, port, '127.0.0.1');
      const m = await reply;
      if (m) {
        const r = decodeResponse(m);
        assert.equal(r.action, action, r.action === 'error' ? r.message : r.action);
        return r;
      }
    }
    throw new Error(`no ${action} reply in 30 tries`);
  };
  const conn = await ask(encodeConnect(1), 'connect');
  assert.equal(conn.action, 'connect');
  const ann = await ask(
    encodeAnnounce({ connectionId: conn.connectionId, transactionId: 2, infoHash: Buffer.alloc(20, 0xaa), peerId: Buffer.alloc(20, 0x41), downloaded: 0, left: 0, uploaded: 0, event: 'started', key: 1, numWant: 10, port: 6881 }),
    'announce',
  );
  assert.equal(ann.action, 'announce');
  assert.equal(ann.seeders, 1);
  const sent = await flooding;
  await new Promise((r) => setTimeout(r, 200)); // the last replies in flight
  const seconds = (Date.now() - started) / 1000;
  // 500 a second with a burst of 1,000 (SERVER_DEFAULTS); before, the daemon's tracker had no limit at all.
  const allowed = 1_000 + 500 * seconds;
  assert.ok(sent > 2 * allowed, `the flood sent ${sent} connects in ${seconds.toFixed(1)} s, not enough to test the limit`);
  assert.ok(replies <= allowed, `${replies} of ${sent} flood packets were answered; at most ${Math.round(allowed)} should be`);
});
