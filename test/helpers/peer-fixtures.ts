import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK_HOSTS, Torrent, testConfig, type TorrentInit } from '../../src/swarm/index.js';
import { Bitfield, decodeHandshake, decodeMessage, encodeHandshake, encodeMessage, encodePieceHeader, Framer, HANDSHAKE_BYTES, maxFrameBytes } from '../../src/wire/index.js';
import { createTorrent, type Metainfo, type TorrentVersion } from '../../src/metainfo/index.js';

/**
 * The multi-file fixture the issue asks for: nested folders, an empty file, sizes that are not multiples of the
 * piece length. Sizes in bytes; `scale` multiplies them for heavier tests.
 */
export const FIXTURE_FILES: [path: string, bytes: number][] = [
  ['a.bin', 40_000],
  ['sub/deep/b.bin', 70_001],
  ['sub/empty.txt', 0],
  ['z.bin', 12_345],
];

export async function makeTree(dir: string, name = 'content', scale = 1): Promise<string> {
  const root = join(dir, name);
  for (const [path, bytes] of FIXTURE_FILES) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), randomBytes(bytes * scale));
  }
  return root;
}

export async function makeTorrent(path: string, version: TorrentVersion = 'v1', pieceLengthBytes = 16 * 1024): Promise<{ bytes: Buffer; meta: Metainfo }> {
  const { bytes, metainfo } = await createTorrent(path, { version, pieceLengthBytes, creationDate: null, workers: 1 });
  return { bytes, meta: metainfo };
}

/** sha256 of every regular file under `dir`, keyed by relative path (empty files included). */
export async function treeHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.tandem') await walk(p);
      } else if (e.isFile()) out.set(relative(dir, p), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  if ((await stat(dir)).isFile()) out.set('', createHash('sha256').update(await readFile(dir)).digest('hex'));
  else await walk(dir);
  return out;
}


type After = { after: (fn: () => Promise<void> | void) => void };

/** Starts a torrent session stopped at the end of the test; test config (quick timeouts) and loopback unless given. */
export async function startTorrent(t: After, init: TorrentInit): Promise<Torrent> {
  const torrent = new Torrent({ listenHosts: [...LOOPBACK_HOSTS], ...init, config: testConfig(init.config) });
  t.after(() => torrent.stop());
  await torrent.start();
  return torrent;
}

/** Resolves when the torrent is done, or rejects after `ms` with its stats. */
export function whenDone(torrent: Torrent, ms = 30_000): Promise<void> {
  if (torrent.isDone) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not done in ${ms} ms: ${JSON.stringify(torrent.stats())}`)), ms);
    torrent.once('done', () => {
      clearTimeout(timer);
      resolve();
    });
    torrent.once('error', ({ error }) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * A peer that lies: it claims every piece, unchokes everyone and answers every request with random bytes (or, in
 * 'silent' mode, never answers at all). Built on the wire codec over a real socket, so the leecher sees exactly what
 * a hostile peer would send.
 */
export async function startLyingSeed(t: After, meta: Metainfo, mode: 'lie' | 'silent' = 'lie'): Promise<{ port: number; blocksSent: () => number; requestsSeen: () => number; connections: () => number }> {
  let sent = 0;
  let requests = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    connections++;
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    const framer = new Framer(maxFrameBytes({ pieceCount: meta.pieceCount }));
    let greeted = false;
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      if (!greeted) {
        const hs = framer.take(HANDSHAKE_BYTES);
        if (!hs) return;
        const remote = decodeHandshake(hs);
        greeted = true;
        socket.write(encodeHandshake({ infoHash: remote.infoHash, peerId: randomBytes(20), extended: false, fast: false, dht: false }));
        socket.write(encodeMessage({ type: 'bitfield', bytes: Bitfield.full(meta.pieceCount).bytes }));
        socket.write(encodeMessage({ type: 'unchoke' }));
      }
      for (let body = framer.next(); body; body = framer.next()) {
        const m = decodeMessage(body, { pieceCount: meta.pieceCount });
        if (m.type === 'request') requests++;
        if (m.type !== 'request' || mode === 'silent') continue;
        sent++;
        socket.write(encodePieceHeader(m.index, m.begin, m.length));
        socket.write(randomBytes(m.length));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as { port: number }).port, blocksSent: () => sent, requestsSeen: () => requests, connections: () => connections };
}
