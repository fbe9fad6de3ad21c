// The web UI under load (issue 12): a daemon holding 10,000 torrents (paused), the page opened in Debian's
// Chromium; its first render, and the time to apply a burst of 1,000 changed torrents, measured in the browser
// (web/src/store/perf.ts). Goals: first render under 1 s, a burst under 100 ms.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { encode } from '../../src/bencode/index.js';
import { printTable } from '../measure.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const WEB_DIST = fileURLToPath(new URL('../../web/', import.meta.url));
const TORRENTS = Number(process.env.BENCH_WEB_TORRENTS ?? 10_000);
const BURST = 1_000;
const BATCH = 500;

interface Perf {
  firstRenderMs: number;
  eventsApplied: number;
  batches: { events: number; receivedAt: number; appliedAt: number; renderedAt: number }[];
}

/** A one-piece torrent of one 1-byte file: the smallest the daemon accepts, so the load is the count. */
function tinyTorrent(i: number): string {
  return encode({ info: { length: 1, name: `bench-${String(i).padStart(5, '0')}.bin`, 'piece length': 16384, pieces: randomBytes(20) } }).toString('base64');
}

async function startDaemon(stateDir: string): Promise<{ url: string; rpc: (body: unknown) => Promise<unknown>; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [TANDEM, 'daemon', '--state-dir', stateDir, '--rpc', `127.0.0.1:${await freePort()}`, '--port', '0', '--listen', '127.0.0.1', '--no-dht'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /web UI: (http:\S+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${seen}`)));
  });
  child.stdout!.resume();
  const { origin, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token') ?? '';
  const rpc = async (body: unknown): Promise<unknown> => {
    const res = await fetch(`${origin}/api/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return res.json();
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  return { url, rpc, stop };
}

const readPerf = (page: Page): Promise<Perf> => page.evaluate(() => (globalThis as unknown as { __tandemPerf: Perf }).__tandemPerf);

/** Sends a burst of label changes and returns [wall ms from first event received to last rendered, page ms]. */
async function burst(page: Page, rpc: (body: unknown) => Promise<unknown>, ids: number[], label: string): Promise<[number, number]> {
  const before = await readPerf(page);
  await rpc({ jsonrpc: '2.0', id: 1, method: 'torrent.set', params: { ids, labels: [label] } });
  await page.waitForFunction((n) => (globalThis as unknown as { __tandemPerf: Perf }).__tandemPerf.eventsApplied >= n, before.eventsApplied + ids.length, { timeout: 60_000 });
  await page.waitForFunction(() => (globalThis as unknown as { __tandemPerf: Perf }).__tandemPerf.batches.every((b) => b.renderedAt >= 0));
  const after = await readPerf(page);
  const batches = after.batches.filter((b) => b.receivedAt > (before.batches.at(-1)?.renderedAt ?? 0));
  const wall = batches.at(-1)!.renderedAt - batches[0]!.receivedAt;
  const work = batches.reduce((sum, b) => sum + (b.renderedAt - b.appliedAt) + (b.appliedAt - b.receivedAt), 0);
  return [wall, work];
}

/** The built page (dist/web/, beside dist/bench/), gzipped file by file. */
function pageGzipBytes(): number {
  return readdirSync(WEB_DIST).reduce((sum, f) => sum + gzipSync(readFileSync(join(WEB_DIST, f)), { level: 9 }).length, 0);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default {
  async run(): Promise<void> {
    const stateDir = mkdtempSync(join(tmpdir(), 'tandem-bench-web-'));
    const daemon = await startDaemon(stateDir);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const ids: number[] = [];
      for (let i = 0; i < TORRENTS; i += BATCH) {
        const calls = [];
        for (let j = i; j < Math.min(TORRENTS, i + BATCH); j++) {
          calls.push({ jsonrpc: '2.0', id: j, method: 'torrent.add', params: { metainfo: tinyTorrent(j), paused: true, savePath: join(stateDir, 'dl') } });
        }
        const replies = (await daemon.rpc(calls)) as { result?: { torrent: { id: number } }; error?: { message: string } }[];
        for (const r of replies) {
          if (r.error) throw new Error(`torrent.add: ${r.error.message}`);
          ids.push(r.result!.torrent.id);
        }
      }
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await page.goto(daemon.url);
      await page.getByText(`${TORRENTS} torrents`, { exact: true }).waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => (globalThis as unknown as { __tandemPerf: Perf }).__tandemPerf.firstRenderMs >= 0);
      const first = await readPerf(page);
      const [wallDefault, workDefault] = await burst(page, daemon.rpc, ids.slice(0, BURST), 'burst-a');
      // Sorted by label, the same burst also re-sorts all 10,000 rows.
      await page.getByRole('button', { name: 'Label' }).click();
      const [wallSorted, workSorted] = await burst(page, daemon.rpc, ids.slice(BURST, 2 * BURST), 'burst-b');
      console.log(`${TORRENTS} torrents in the daemon; Chromium ${browser.version()}, 1280×800; page ${pageGzipBytes()} bytes gzipped`);
      printTable([
        { measure: 'first render (navigation to rows on screen)', ms: first.firstRenderMs, goal: '< 1000' },
        { measure: `burst of ${BURST} changes, sorted by date added: first event in → last rendered`, ms: wallDefault, goal: '< 100' },
        { measure: '  of which the page applying and rendering', ms: workDefault, goal: '' },
        { measure: `burst of ${BURST} changes, sorted by label (re-sort of all rows)`, ms: wallSorted, goal: '< 100' },
        { measure: '  of which the page applying and rendering', ms: workSorted, goal: '' },
      ]);
    } finally {
      await browser.close();
      await daemon.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
