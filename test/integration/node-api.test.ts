import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { makeTorrent } from '../helpers/peer-fixtures.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request (node:http lets a test set Host and Origin as an attacker's page would). */
function request(d: RunningDaemon, path: string, options: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer } = {}): Promise<Reply> {
  const url = new URL(path, d.url);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const rpcBody = (method: string, params = {}): string => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });

/** Opens the event stream and collects every message; `next(n)` waits for n more. */
async function events(d: RunningDaemon, since?: number): Promise<{ messages: Record<string, unknown>[]; next: (total: number) => Promise<void>; close: () => void }> {
  const ws = new WebSocket(`${d.url.replace('http', 'ws')}api/events?token=${d.token}${since === undefined ? '' : `&since=${since}`}`);
  const messages: Record<string, unknown>[] = [];
  let waiting: { n: number; resolve: () => void } | undefined;
  ws.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    if (waiting && messages.length >= waiting.n) waiting.resolve();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    messages,
    /** Waits until `total` messages have arrived in all. */
    next: (total) =>
      new Promise<void>((resolve, reject) => {
        const want = total;
        if (messages.length >= want) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${want} events: ${JSON.stringify(messages)}`)), 10_000);
        waiting = { n: want, resolve: () => (clearTimeout(timer), resolve()) };
      }),
    close: () => ws.close(),
  };
}

test('event stream: a snapshot first; a client that reconnects with its sequence number gets exactly what it missed', async (t) => {
  const dir = await tempDir(t);
  const daemon = await startDaemon(t, join(dir, 'state'));
  const torrents = await Promise.all([0, 1, 2, 3].map(async (i) => {
    await writeFile(join(dir, `f${i}`), `content ${i}`);
    return (await makeTorrent(join(dir, `f${i}`))).bytes.toString('base64');
  }));
  await daemon.rpc('torrent.add', { metainfo: torrents[0], paused: true });

  const first = await events(daemon);
  await first.next(1);
  const snapshot = first.messages[0]!;
  assert.equal(snapshot.type, 'snapshot');
  assert.equal((snapshot.torrents as unknown[]).length, 1);
  await daemon.rpc('torrent.add', { metainfo: torrents[1], paused: true });
  await first.next(2);
  const live = first.messages[1]!;
  assert.equal(live.type, 'torrent:added');
  const lastSeen = live.seq as number;
  first.close();

  // Offline: two adds and a label change happen.
  const a = await daemon.rpc<{ torrent: { id: number } }>('torrent.add', { metainfo: torrents[2], paused: true });
  await daemon.rpc('torrent.add', { metainfo: torrents[3], paused: true });
  await daemon.rpc('torrent.set', { ids: [a.torrent.id], labels: ['later'] });

  const second = await events(daemon, lastSeen);
  await second.next(3);
  const missed = second.messages.slice(0, 3);
  assert.deepEqual(missed.map((m) => m.type), ['torrent:added', 'torrent:added', 'torrent:changed']);
  assert.deepEqual(missed.map((m) => m.seq), [lastSeen + 1, lastSeen + 2, lastSeen + 3]);
  assert.deepEqual((missed[2]!.changes as { labels: string[] }).labels, ['later']);
  assert.equal(second.messages.some((m) => m.type === 'snapshot'), false);
  second.close();

  const stale = await events(daemon, 10_000_000);
  await stale.next(1);
  assert.equal(stale.messages[0]!.type, 'snapshot', 'a sequence number from another run gets a snapshot');
  assert.equal((stale.messages[0]!.torrents as unknown[]).length, 4);
  stale.close();
});

test('control API security: token, Host (DNS rebinding), Origin, body size, malformed JSON, Transmission session ids and tags', async (t) => {
  const dir = await tempDir(t);
  const d = await startDaemon(t, join(dir, 'state'));
  const auth = { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' };
  assert.equal((await request(d, '/api/rpc', { body: rpcBody('torrent.list') })).status, 401);
  assert.equal((await request(d, '/api/rpc', { headers: { authorization: 'Bearer wrong' }, body: rpcBody('torrent.list') })).status, 401);
  const ok = await request(d, '/api/rpc', { headers: auth, body: rpcBody('torrent.list') });
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { jsonrpc: '2.0', id: 1, result: [] });
  assert.equal((await request(d, '/api/rpc', { headers: { ...auth, host: 'evil.example:9091' }, body: rpcBody('torrent.list') })).status, 421);
  assert.equal((await request(d, '/transmission/rpc', { headers: { host: 'attacker.example' }, body: '{}' })).status, 421);
  assert.equal((await request(d, '/api/rpc', { headers: { ...auth, origin: 'http://evil.example' }, body: rpcBody('torrent.list') })).status, 403);
  // A raw socket announces a 17 MiB body and sends a little of it: the answer comes before the rest.
  const big = await new Promise<string>((resolve, reject) => {
    const u = new URL(d.url);
    const sock = connect(Number(u.port), u.hostname, () => {
      sock.write(`POST /api/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${d.token}\r\nContent-Length: ${17 * 1024 * 1024}\r\n\r\n{"jsonrpc":`);
    });
    let got = '';
    sock.on('data', (c: Buffer) => (got += c.toString()));
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
  });
  assert.match(big, /^HTTP\/1\.1 413 /);
  assert.match(big, /connection: close/i);
  const malformed = await request(d, '/api/rpc', { headers: auth, body: '{"jsonrpc": "2.0", "method": ' });
  assert.equal(malformed.status, 400);
  assert.equal((JSON.parse(malformed.body) as { error: { code: number } }).error.code, -32700);
  const unknown = JSON.parse((await request(d, '/api/rpc', { headers: auth, body: rpcBody('torrent.explode') })).body) as { error: { code: number } };
  assert.equal(unknown.error.code, -32601);
  const batch = JSON.parse((await request(d, '/api/rpc', { headers: auth, body: `[${rpcBody('session.stats')}, ${rpcBody('torrent.get', { id: 99 })}]` })).body) as { result?: unknown; error?: { data: { code: string } } }[];
  assert.equal(batch.length, 2);
  assert.ok(batch[0]!.result);
  assert.equal(batch[1]!.error!.data.code, 'NODE_NOT_FOUND');

  // Transmission: 409 with the session id first (also for a request with no body), then the request with it.
  const conflict = await request(d, '/transmission/rpc/', { body: '' });
  assert.equal(conflict.status, 409);
  const sid = conflict.headers['x-transmission-session-id'] as string;
  assert.ok(sid);
  const get = await request(d, '/transmission/rpc', { headers: { 'x-transmission-session-id': sid }, body: JSON.stringify({ method: 'session-get', tag: 4 }) });
  const reply = JSON.parse(get.body) as { result: string; tag: number; arguments: { version: string; 'rpc-version': number } };
  assert.equal(reply.result, 'success');
  assert.equal(reply.tag, 4);
  assert.match(reply.arguments.version, /^3\.00 \(tandem /);
  const bad = JSON.parse((await request(d, '/transmission/rpc', { headers: { 'x-transmission-session-id': sid }, body: JSON.stringify({ method: 'torrent-frobnicate', tag: 9 }) })).body) as { result: string; tag: number };
  assert.deepEqual([bad.result, bad.tag], ['method name not recognized', 9]);
  const metrics = await request(d, '/metrics', { method: 'GET' });
  assert.match(metrics.body, /^tandem_torrents\{state="stopped"\} 0$/m);
  assert.match(metrics.body, /^tandem_api_request_seconds_count \d+$/m);
  const page = await request(d, '/', { method: 'GET' });
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'] as string, /text\/html/);
});

test('daemon start-up errors: a public --rpc without --rpc-auth (exit 2), a corrupt database (exit 1), a bad config key (exit 2), no daemon (exit 1)', async (t) => {
  const dir = await tempDir(t);
  const exposed = await tandem(['daemon', '--state-dir', join(dir, 's1'), '--rpc', '0.0.0.0:0', '--port', '0', '--no-dht'], { timeoutMs: 20_000 });
  assert.equal(exposed.code, 2);
  assert.match(exposed.stderr, /needs --rpc-auth/);
  await mkdir(join(dir, 's2'));
  await writeFile(join(dir, 's2', 'state.db'), 'garbage, not a database');
  const corrupt = await tandem(['daemon', '--state-dir', join(dir, 's2'), '--rpc', '127.0.0.1:0', '--port', '0', '--no-dht'], { timeoutMs: 20_000 });
  assert.equal(corrupt.code, 1);
  assert.equal(corrupt.stderr.trim().split('\n').length, 1);
  assert.match(corrupt.stderr, new RegExp(`state database ${join(dir, 's2', 'state.db').replace(/[/.]/g, '\\$&')} is not a SQLite database`));
  await writeFile(join(dir, 'c.json'), JSON.stringify({ rpc: '127.0.0.1:0', colour: 'blue' }));
  const config = await tandem(['daemon', '--config', join(dir, 'c.json'), '--state-dir', join(dir, 's3')], { timeoutMs: 20_000 });
  assert.equal(config.code, 2);
  assert.match(config.stderr, /unknown key "colour"/);
  const nobody = await tandem(['ls', '--rpc', 'http://127.0.0.1:1', '--state-dir', join(dir, 's4')], { timeoutMs: 20_000 });
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /no daemon answers at http:\/\/127\.0\.0\.1:1; start one with "tandem daemon"/);
});
