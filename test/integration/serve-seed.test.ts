// `tandem serve --seed` on loopback: the Link header and the torrent it names, the disk cache (a hit does not
// re-hash, a changed file gets a new torrent), paths that get no torrent, the mounted tracker, and `tandem get
// http://` joining the swarm (or not, with --no-swarm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { decode, isDict } from '../../src/bencode/index.js';
import { parseTorrent, type Metainfo } from '../../src/metainfo/index.js';
import { startProcess, tandem, TANDEM_ARGV } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

interface SeedServer {
  child: ChildProcess;
  base: string;
  /** Every JSON line the server printed so far. */
  events: Record<string, unknown>[];
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** Every byte percent-encoded, as BEP 3 query values are sent (escape() would leave `+`, which reads as a space). */
const pct = (b: Buffer): string => [...b].map((x) => '%' + x.toString(16).padStart(2, '0')).join('');

/** Starts `serve --seed --json` and resolves once it listens; its JSON lines are collected as they come. */
async function startSeedServer(t: { after: (fn: () => void) => void }, root: string, cache: string, extra: string[] = []): Promise<SeedServer> {
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', '--seed', '--seed-cache', cache, '--json', ...extra]);
  const events: Record<string, unknown>[] = [];
  let partial = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  const listening = await waitFor(() => events.find((e) => e.event === 'listening'), 15_000, () => `no listening line; stderr: ${stderr}`);
  return { child, base: listening.url as string, events };
}

/** Polls `probe` every 100 ms until it gives a value; fails after `timeoutMs`. */
async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** HEADs the file until its reply carries a Link header (the torrent is made in the background on first request). */
function waitForLink(url: string, timeoutMs = 30_000): Promise<string> {
  return waitFor(async () => (await fetch(url, { method: 'HEAD' })).headers.get('link') ?? undefined, timeoutMs, () => `no Link header on ${url}`);
}

async function fetchTorrent(url: string): Promise<{ bytes: Buffer; meta: Metainfo; type: string | null }> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { bytes, meta: parseTorrent(bytes), type: res.headers.get('content-type') };
}

async function stopServer(server: SeedServer): Promise<void> {
  server.child.kill('SIGTERM');
  if (server.child.exitCode === null) await once(server.child, 'exit');
}

async function torrentsIn(cache: string): Promise<string[]> {
  return (await readdir(cache).catch(() => [])).filter((n) => n.endsWith('.torrent')).sort();
}

test('serve --seed: Link header, the torrent it names, a cache hit without re-hashing, a new torrent for a changed file', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  const cache = join(dir, 'cache');
  await mkdir(join(root, 'sub'), { recursive: true });
  const data = randomBytes(3 * 1024 * 1024 + 5);
  await writeFile(join(root, 'big file.bin'), data);
  await writeFile(join(root, 'small.txt'), 'too small for a swarm\n');
  await writeFile(join(root, '日本.bin'), randomBytes(1024 * 1024 + 1));
  await writeFile(join(dir, 'outside.bin'), randomBytes(2 * 1024 * 1024));
  await symlink(join(dir, 'outside.bin'), join(root, 'escape.bin'));

  const server = await startSeedServer(t, root, cache);
  const fileUrl = server.base + 'big%20file.bin';
  const link = await waitForLink(fileUrl);
  assert.equal(link, '</big%20file.bin?torrent>; rel="describedby"; type="application/x-bittorrent"');
  const getReply = await fetch(fileUrl, { headers: { range: 'bytes=0-9' } });
  assert.equal(getReply.status, 206);
  assert.equal(getReply.headers.get('link'), link, 'GET replies carry it too');
  await getReply.arrayBuffer();

  const first = await fetchTorrent(new URL('/big%20file.bin?torrent', server.base).href);
  assert.equal(first.type, 'application/x-bittorrent');
  assert.equal(first.meta.version, 'v1');
  assert.equal(first.meta.name, 'big file.bin');
  assert.equal(first.meta.totalLengthBytes, data.length);
  assert.deepEqual(first.meta.urlList, [fileUrl], 'BEP 19: the web seed is the file itself');
  assert.deepEqual(first.meta.announce, [[server.base + 'announce']]);
  const p0 = data.subarray(0, first.meta.pieceLengthBytes);
  assert.ok(first.meta.pieces!.subarray(0, 20).equals(createHash('sha1').update(p0).digest()), 'piece 0 hashes the real bytes');
  const cached = await torrentsIn(cache);
  assert.equal(cached.length, 1, 'one torrent made so far');
  const cachedMtime = (await stat(join(cache, cached[0]!))).mtimeMs;
  // The event line may reach us a moment after the header does.
  const ready = await waitFor(() => server.events.find((e) => e.event === 'seed:ready'), 10_000, () => 'no seed:ready event');
  assert.equal(ready.fromCache, false);

  // No torrent: a file under the minimum size, a folder, a symlink out of the root, a path escaping it.
  const small = await fetch(server.base + 'small.txt', { method: 'HEAD' });
  assert.equal(small.status, 200);
  assert.equal(small.headers.get('link'), null);
  assert.equal((await fetch(server.base + 'small.txt?torrent')).status, 404);
  const folder = await fetch(server.base + 'sub/?torrent');
  assert.equal(folder.headers.get('content-type'), 'text/html; charset=utf-8', 'a folder gets its listing, never a torrent');
  assert.equal(folder.headers.get('link'), null);
  await folder.arrayBuffer();
  for (const path of ['escape.bin', 'escape.bin?torrent', '..%2f/outside.bin?torrent', '%2e%2e/outside.bin?torrent']) {
    const res = await fetch(server.base + path);
    assert.ok(res.status === 403 || res.status === 404, `${path}: ${res.status}`);
    assert.equal(res.headers.get('link'), null);
    await res.arrayBuffer();
  }

  // A name outside ASCII: the Link target is percent-encoded, the download name goes in RFC 6266 filename*.
  const utf8 = await waitForLink(server.base + encodeURIComponent('日本.bin'));
  assert.equal(utf8, `</${encodeURIComponent('日本.bin')}?torrent>; rel="describedby"; type="application/x-bittorrent"`);
  const named = await fetch(server.base + encodeURIComponent('日本.bin') + '?torrent');
  assert.equal(named.headers.get('content-disposition'), `attachment; filename*=UTF-8''${encodeURIComponent('日本.bin.torrent')}`);
  assert.equal(parseTorrent(Buffer.from(await named.arrayBuffer())).name, '日本.bin');
  const allCached = await torrentsIn(cache);
  assert.equal(allCached.length, 2);

  // The mounted tracker knows this torrent's swarm and no other.
  const ask = (hash: Buffer): Promise<Map<string, unknown>> =>
    fetch(`${server.base}announce?info_hash=${pct(hash)}&peer_id=-XX0000-123456789012&port=6881&left=5&compact=1`)
      .then(async (r) => decode(Buffer.from(await r.arrayBuffer())))
      .then((v) => (isDict(v) ? (v as Map<string, unknown>) : new Map()));
  const ours = await ask(first.meta.infoHashV1!);
  assert.equal(ours.get('failure reason'), undefined);
  assert.ok((ours.get('peers') as Buffer).length >= 6, 'the server names its own peer');
  const foreign = await ask(randomBytes(20));
  assert.match(String(foreign.get('failure reason')), /only tracks/);
  await stopServer(server);

  // A second run with the same cache: the torrent comes from disk (re-stamped with the new port), nothing is re-hashed.
  const again = await startSeedServer(t, root, cache);
  await waitForLink(again.base + 'big%20file.bin');
  const second = await fetchTorrent(again.base + 'big%20file.bin?torrent');
  assert.ok(second.meta.infoHashV1!.equals(first.meta.infoHashV1!));
  assert.deepEqual(second.meta.urlList, [again.base + 'big%20file.bin']);
  assert.deepEqual(second.meta.announce, [[again.base + 'announce']]);
  const readyAgain = await waitFor(() => again.events.find((e) => e.event === 'seed:ready'), 10_000, () => 'no seed:ready event');
  assert.equal(readyAgain.fromCache, true, 'taken from the disk cache, not hashed');
  assert.deepEqual(await torrentsIn(cache), allCached, 'nothing new in the cache');
  assert.equal((await stat(join(cache, cached[0]!))).mtimeMs, cachedMtime, 'the cache file was not rewritten');

  // The file changes (same size, new bytes and mtime): a new torrent, cached under a new key.
  const changed = randomBytes(data.length);
  await writeFile(join(root, 'big file.bin'), changed);
  const later = new Date(Date.now() + 10_000);
  await utimes(join(root, 'big file.bin'), later, later);
  const third = await waitFor(
    async () => {
      await waitForLink(again.base + 'big%20file.bin');
      const t3 = await fetchTorrent(again.base + 'big%20file.bin?torrent').catch(() => undefined);
      return t3 && !t3.meta.infoHashV1!.equals(first.meta.infoHashV1!) ? t3 : undefined;
    },
    30_000,
    () => 'the changed file never got a new torrent',
  );
  assert.ok(third.meta.pieces!.subarray(0, 20).equals(createHash('sha1').update(changed.subarray(0, third.meta.pieceLengthBytes)).digest()));
  assert.equal((await torrentsIn(cache)).length, 3, 'the changed file is cached under a new key');
  await stopServer(again);
});

test('serve --seed-piece-length: the torrents have that piece length, and one cached with another is made again', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  const cache = join(dir, 'cache');
  await mkdir(root, { recursive: true });
  const data = randomBytes(3 * 1024 * 1024 + 7);
  await writeFile(join(root, 'data.bin'), data);
  const torrentOf = async (extra: string[]): Promise<Metainfo> => {
    const server = await startSeedServer(t, root, cache, extra);
    try {
      await waitForLink(server.base + 'data.bin');
      return (await fetchTorrent(server.base + 'data.bin?torrent')).meta;
    } finally {
      await stopServer(server);
    }
  };
  const auto = await torrentOf([]);
  assert.equal(auto.pieceLengthBytes, 16 * 1024, 'the automatic length for 3 MiB');
  const chosen = await torrentOf(['--seed-piece-length', '256KiB']);
  assert.equal(chosen.pieceLengthBytes, 256 * 1024, 'the cached 16 KiB torrent is not reused');
  assert.equal(chosen.pieceCount, Math.ceil(data.length / (256 * 1024)));
  const last = chosen.pieceCount - 1;
  const lastPiece = data.subarray(last * 256 * 1024);
  assert.ok(chosen.pieces!.subarray(last * 20, last * 20 + 20).equals(createHash('sha1').update(lastPiece).digest()), 'the last, short piece hashes the real bytes');
  const r = await tandem(['serve', root, '--http', '127.0.0.1:0', '--seed', '--seed-cache', cache, '--seed-piece-length', '100KiB'], { timeoutMs: 15_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--seed-piece-length: a power of two/);
});

test('tandem get http:// of a seeded file joins its swarm; --no-swarm downloads over HTTP only', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const data = randomBytes(4 * 1024 * 1024 + 123);
  await writeFile(join(root, 'data.bin'), data);
  const log = join(dir, 'access.log');
  const server = await startSeedServer(t, root, join(dir, 'cache'), ['--access-log', log]);
  const url = server.base + 'data.bin';
  await waitForLink(url);

  const viaSwarm = await tandem(['get', url, '-o', join(dir, 'a'), '--no-dht', '--json'], { timeoutMs: 90_000 });
  assert.equal(viaSwarm.code, 0, viaSwarm.stderr);
  const events = viaSwarm.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const joined = events.find((e) => e.event === 'swarm');
  assert.ok(joined, 'the download went through the swarm');
  assert.equal(joined.torrentUrl, url + '?torrent');
  const done = events.find((e) => e.event === 'done')!;
  assert.equal(done.verifiedBytes, data.length);
  assert.equal(sha256(await readFile(join(dir, 'a', 'data.bin'))), sha256(data));

  const plain = await tandem(['get', url, '-o', join(dir, 'b'), '--no-dht', '--no-swarm', '--json'], { timeoutMs: 90_000 });
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /"event":"swarm"/);
  // Like a torrent download, it says when it is ready to start (the lab's start-up times come from this record).
  assert.ok(plain.stdout.indexOf('{"event":"ready","source":"http"}') >= 0 && plain.stdout.indexOf('{"event":"ready"') < plain.stdout.indexOf('{"event":"done"'), plain.stdout);
  assert.equal(JSON.parse(plain.stdout.trim().split('\n').at(-1)!).bytes, data.length);
  assert.equal(sha256(await readFile(join(dir, 'b', 'data.bin'))), sha256(data), 'the same file name either way');
  await stopServer(server);
  const lines = (await readFile(log, 'utf8')).split('\n');
  assert.ok(lines.some((l) => l.includes('"GET /data.bin?torrent HTTP/1.1" 200')), 'the swarm client fetched the torrent');
  assert.ok(lines.some((l) => l.includes('"GET /announce?')), 'and announced to the mounted tracker');
  assert.equal(lines.filter((l) => l.includes(`"GET /data.bin HTTP/1.1" 200 ${data.length} `)).length, 1, 'one whole-file GET: the --no-swarm download');
});

test('serve --upload-limit holds HTTP bodies to the rate (a lower bound on time) and reports what it sent at exit', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(768 * 1024);
  await writeFile(join(dir, 'slow.bin'), data);
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', dir, '--http', '127.0.0.1:0', '--upload-limit', '256KiB', '--json']);
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const listening = await waitFor(() => stdout.split('\n').find((l) => l.includes('"event":"listening"')), 15_000, () => stdout);
  const started = Date.now();
  const body = Buffer.from(await (await fetch(JSON.parse(listening).url + 'slow.bin')).arrayBuffer());
  const seconds = (Date.now() - started) / 1000;
  assert.ok(body.equals(data));
  // 768 KiB at 256 KiB/s, less one 64 KiB burst and one 64 KiB slice of debt: at least 2.5 s however fast the machine.
  assert.ok(seconds >= 2.4, `took ${seconds} s`);
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
  const sent = JSON.parse(stdout.split('\n').find((l) => l.includes('"event":"sent"'))!);
  assert.deepEqual([sent.httpBodyBytes, sent.peerBytes], [data.length, 0]);
});

test('serve --seed: usage errors exit 2 with a reason', async (t) => {
  const dir = await tempDir(t);
  const cases: [args: string[], why: RegExp][] = [
    [['--seed-cache', join(dir, 'inside')], /inside the served folder/],
    [['--seed-cache', dir], /inside the served folder/],
    [['--auth', 'me:secret'], /--seed and --auth/],
    [['--public-url', 'ftp://example/'], /not http/],
    [['--upload-limit', 'fast'], /--upload-limit/],
  ];
  for (const [extra, why] of cases) {
    const r = await tandem(['serve', dir, '--http', '127.0.0.1:0', '--seed', ...extra], { timeoutMs: 15_000 });
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  const noHttp = await tandem(['serve', dir, '--tftp', '127.0.0.1:0', '--seed']);
  assert.equal(noHttp.code, 2);
  assert.match(noHttp.stderr, /--seed needs --http/);
});
