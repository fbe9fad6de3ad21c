// BEP 19 web seeds on loopback, side by side in one run: a 64 MiB single-file torrent whose only source is a
// `tandem serve` origin, fetched by tandem's web-seed downloader (2 and 4 requests in flight), by `tandem get` of the
// torrent (web seeds inside the swarm engine, no peer), and by aria2c from
// the same torrent's url-list; curl's plain GET of the file is the ceiling.
// Goal: tandem ≥ 0.8 × aria2c with its default cap of 2 requests in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent } from '../../src/metainfo/index.js';
import { benchDir, randomFile } from '../data.js';
import { bestOf, measure, printTable, type Measurement } from '../measure.js';
import { freeTcpPort } from '../../test/helpers/ports.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const WEBSEED = fileURLToPath(new URL('../../src/webseed/index.js', import.meta.url));
const SIZE_MIB = Number(process.env.BENCH_WEBSEED_MIB ?? 64);

export default {
  async run(): Promise<void> {
    const root = join(benchDir(), 'webseed-root');
    mkdirSync(root, { recursive: true });
    const name = `ws-${SIZE_MIB}MiB.bin`;
    randomFile(`webseed-root/${name}`, SIZE_MIB * 1024 * 1024);
    readFileSync(join(root, name)); // page cache warm
    const port = await freeTcpPort();
    const origin = `http://127.0.0.1:${port}/`;
    const { bytes } = await createTorrent(join(root, name), { pieceLengthBytes: 256 * 1024, webSeeds: [origin + name] });
    const torrent = join(benchDir(), 'webseed.torrent');
    writeFileSync(torrent, bytes);
    const server: ChildProcess = spawn(process.execPath, [TANDEM, 'serve', root, '--http', `127.0.0.1:${port}`, '--quiet'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 800));
    const out = join(benchDir(), 'webseed-out');
    const fresh = (): void => rmSync(out, { recursive: true, force: true });
    const rows: Record<string, string | number>[] = [];
    const row = (setup: string, m: Measurement): void => {
      rows.push({ setup, 'MiB/s': SIZE_MIB / m.wallSeconds, 'client cpu s': m.cpuSeconds, 'peak RSS MiB': m.peakRssMiB });
    };
    try {
      const script = (cap: number): string =>
        `import { readFileSync } from 'node:fs'; import { parseTorrent } from '${fileURLToPath(new URL('../../src/metainfo/index.js', import.meta.url))}';` +
        `import { downloadFromWebSeeds } from '${WEBSEED}';` +
        `await downloadFromWebSeeds({ meta: parseTorrent(readFileSync('${torrent}')), outDir: '${out}', seedOptions: { maxInFlight: ${cap} } });`;
      for (const cap of [2, 4]) {
        row(`tandem web seed, ${cap} in flight`, await bestOf(2, async () => (fresh(), measure(process.execPath, ['--input-type=module', '-e', script(cap)]))));
      }
      // The whole client: `tandem get` of the torrent, the web seed its only source (no peer, no tracker, no DHT).
      for (const cap of [2, 4]) {
        const args = [TANDEM, 'get', torrent, '-o', out, '--no-dht', '--quiet', '--webseed-max-requests', String(cap)];
        row(`tandem get, web seed only, ${cap} in flight`, await bestOf(2, async () => (fresh(), measure(process.execPath, args))));
      }
      // aria2c uses the url-list as a web seed; with no tracker and no DHT it has no peer at all.
      const aria = ['--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--seed-time=0', '--summary-interval=0', '--console-log-level=error', '--check-integrity=false', '--file-allocation=none', '-d', out, torrent];
      row('aria2c, torrent from web seed', await bestOf(2, async () => (fresh(), measure('aria2c', aria))));
      row('curl, plain GET (ceiling)', await bestOf(2, async () => (fresh(), mkdirSync(out), measure('curl', ['-s', '-o', join(out, name), origin + name]))));
    } finally {
      server.kill('SIGTERM');
      fresh();
    }
    const aria = rows.find((r) => String(r.setup).startsWith('aria2c'))!;
    for (const r of rows) r['vs aria2c'] = Number(r['MiB/s']) / Number(aria['MiB/s']);
    console.log(`${SIZE_MIB} MiB single-file torrent, 256 KiB pieces, one tandem serve origin on loopback, best of 2; goal: tandem (2 in flight) ≥ 0.8 × aria2c`);
    printTable(rows);
  },
};
