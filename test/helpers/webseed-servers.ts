import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { createTorrent, parseTorrent, type CreateOptions, type Metainfo } from '../../src/metainfo/index.js';
import { startProcess, TANDEM_ARGV, waitForLine } from './processes.js';

type T = { after: (fn: () => Promise<void> | void) => void };

/** Starts the real `tandem serve DIR --http 127.0.0.1:0` and returns its base URL (ends in "/"). */
export async function startTandemServe(t: T, dir: string): Promise<string> {
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', dir, '--http', '127.0.0.1:0', '--json']);
  const m = await waitForLine(child, /"event":"listening".*"url":"([^"]+)"/);
  return m[1]!;
}

export interface TestServer {
  url: string;
  /** Requests seen, in order: method, path, Range header. */
  hits: { path: string; range: string | undefined }[];
  /** Most requests open at the same time. */
  maxConcurrent: number;
}

/** A small in-test HTTP server for faults a real server will not produce; closed when the test ends. */
export async function startTestServer(t: T, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const info: TestServer = { url: '', hits: [], maxConcurrent: 0 };
  let open = 0;
  const server = http.createServer((req, res) => {
    info.hits.push({ path: decodeURIComponent(req.url ?? ''), range: req.headers.range });
    open++;
    info.maxConcurrent = Math.max(info.maxConcurrent, open);
    res.once('close', () => open--);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  info.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return info;
}

/** A torrent made by tandem's own `createTorrent`, parsed back from its bytes as a client would. */
export async function makeTorrent(path: string, options: CreateOptions): Promise<Metainfo> {
  const { bytes } = await createTorrent(path, { pieceLengthBytes: 16_384, ...options });
  return parseTorrent(bytes);
}

/** sha256 of every file under `dir`, keyed by relative path (empty files included). */
export async function treeHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  if ((await stat(dir)).isDirectory()) await walk(dir);
  else out.set('', createHash('sha256').update(await readFile(dir)).digest('hex'));
  return out;
}

export async function assertSameTree(expected: string, actual: string): Promise<void> {
  assert.deepEqual(await treeHashes(actual), await treeHashes(expected));
}
