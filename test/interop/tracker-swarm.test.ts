// Real programs find each other through `tandem tracker` alone, over HTTP and over UDP: a libtorrent seed and an
// aria2 leecher (aria2 speaks UDP trackers only with its DHT on, which here has no node to contact), and a
// WebTorrent leecher. No peer is ever given an address: the tracker is the only way they meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent } from '../../src/metainfo/index.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { run, startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { DEBIAN_PYTHON, requireLibtorrent, requireProgram } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';

const LT_PEER = `
import sys, time, libtorrent as lt
torrent, save, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = lt.session({
  'listen_interfaces': '127.0.0.1:%d' % port, 'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False,
  'enable_natpmp': False, 'enable_incoming_utp': False, 'enable_outgoing_utp': False, 'ssrf_mitigation': False,
  'allow_multiple_connections_per_ip': True, 'alert_mask': lt.alert.category_t.tracker_notification | lt.alert.category_t.error_notification,
})
h = s.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': save})
deadline = time.time() + 120
while time.time() < deadline:
  for a in s.pop_alerts():
    if isinstance(a, lt.tracker_reply_alert): print('announced', a.num_peers, flush=True)
    elif isinstance(a, lt.tracker_error_alert): print('tracker error', a.message(), flush=True)
  time.sleep(0.1)
`;

/** Starts \`tandem tracker\` (the CLI, as users run it) on free ports and returns its announce URLs. */
async function startTracker(t: { after: (fn: () => void) => void }): Promise<{ http: string; udp: string; metrics: string }> {
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'tracker', '--http', '127.0.0.1:0', '--udp', '127.0.0.1:0']);
  const [http, udp] = await Promise.all([waitForLine(child, /tracker http listening on (\S+)/), waitForLine(child, /tracker udp listening on (\S+)/)]);
  return { http: http[1]!, udp: udp[1]!, metrics: http[1]!.replace('/announce', '/metrics') };
}

async function makeSwarm(t: Parameters<typeof tempDir>[0], announce: string) {
  const dir = await tempDir(t, 'tandem-swarm-');
  const seedDir = join(dir, 'seed');
  await mkdir(seedDir);
  const content = randomBytes(3 * 1024 * 1024 + 12345);
  const file = join(seedDir, 'payload.bin');
  await writeFile(file, content);
  const { bytes } = await createTorrent(file, { version: 'v1', trackers: [announce], pieceLengthBytes: 64 * 1024 });
  const torrent = join(dir, 'payload.torrent');
  await writeFile(torrent, bytes);
  return { dir, seedDir, content, torrent };
}

/** A libtorrent seed, started and announced before the leecher asks the tracker for peers. */
async function startLibtorrentSeed(t: Parameters<typeof startProcess>[0], torrent: string, seedDir: string): Promise<void> {
  const child = startProcess(t, DEBIAN_PYTHON, ['-c', LT_PEER, torrent, seedDir, String(await freeTcpPort())]);
  await waitForLine(child, /^announced/, 30_000);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return [...text.matchAll(new RegExp(`^${name}\\{transport="(?:http|udp)"\\} (\\d+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
}

for (const transport of ['http', 'udp'] as const) {
  test(`a libtorrent seed and an aria2 leecher complete a download through tandem tracker over ${transport}`, async (t) => {
    requireLibtorrent();
    const aria2 = requireProgram('aria2c', 'aria2');
    const tracker = await startTracker(t);
    const swarm = await makeSwarm(t, tracker[transport]);
    await startLibtorrentSeed(t, swarm.torrent, swarm.seedDir);
    const leechDir = join(swarm.dir, 'leech');
    const dht = transport === 'udp' ? ['--enable-dht=true', `--dht-listen-port=${await freeUdpPort()}`, `--dht-file-path=${join(swarm.dir, 'dht.dat')}`] : ['--enable-dht=false'];
    const r = await run(aria2, [
      `--dir=${leechDir}`, '--seed-time=0', '--bt-enable-lpd=false', '--enable-peer-exchange=false', `--listen-port=${await freeTcpPort()}`,
      '--summary-interval=0', '--console-log-level=warn', '--bt-stop-timeout=60', ...dht, swarm.torrent,
    ], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, `aria2c failed: ${r.stdout}\n${r.stderr}`);
    assert.ok((await readFile(join(leechDir, 'payload.bin'))).equals(swarm.content), 'the leecher has every byte');
    assert.ok((await metric(tracker.metrics, 'tandem_tracker_announces_total')) >= 2, 'both peers announced to tandem tracker');
  });

  test(`a WebTorrent leecher finds a libtorrent seed through tandem tracker over ${transport}`, async (t) => {
    requireLibtorrent();
    const tracker = await startTracker(t);
    const swarm = await makeSwarm(t, tracker[transport]);
    await startLibtorrentSeed(t, swarm.torrent, swarm.seedDir);
    const WebTorrent = await loadWebTorrent();
    const client = new WebTorrent({ dht: false, lsd: false, utp: false, webSeeds: false, natUpnp: false, natPmp: false });
    t.after(() => new Promise<void>((r) => client.destroy(() => r())));
    const leechDir = join(swarm.dir, 'wt');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('WebTorrent did not finish in 60 s')), 60_000);
      client.on('error', (err: Error) => { clearTimeout(timer); reject(err); });
      client.add(readFileSync(swarm.torrent), { path: leechDir }, (torrent: { on: (e: string, f: () => void) => void }) => {
        torrent.on('done', () => { clearTimeout(timer); resolve(); });
      });
    });
    assert.ok((await readFile(join(leechDir, 'payload.bin'))).equals(swarm.content), 'WebTorrent has every byte');
  });
}

/**
 * Two fixes to WebTorrent as npm installs it today, done in a resolve hook rather than by editing its files:
 * - WebRTC's native part cannot be built here (REFERENCE-PROGRAMS.md) and WebTorrent imports it eagerly although
 *   TCP peers never use it: it gets a module of empty classes instead.
 * - webtorrent 2.8 calls uint8-util's arr2hex on a hex string, which uint8-util 2.3 (required by parse-torrent)
 *   rejects: WebTorrent's own files get a tolerant arr2hex (a string is already hex).
 */
const WEBRTC_STUB = 'export class RTCPeerConnection {}; export class RTCSessionDescription {}; export class RTCIceCandidate {}; export default {};';
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'webrtc-polyfill') return { url: 'data:text/javascript,' + encodeURIComponent(${JSON.stringify(WEBRTC_STUB)}), shortCircuit: true };
  if (specifier === 'uint8-util' && context.parentURL && context.parentURL.includes('/node_modules/webtorrent/')) {
    const real = (await next(specifier, context)).url;
    const src = 'export * from ' + JSON.stringify(real) + '; import { arr2hex as a } from ' + JSON.stringify(real) + '; export const arr2hex = (d) => typeof d === "string" ? d : a(d);';
    return { url: 'data:text/javascript,' + encodeURIComponent(src), shortCircuit: true };
  }
  return next(specifier, context);
}`;

/** WebTorrent 2 (ESM) from the test-only packages that scripts/install-test-deps.sh puts in .cache/test-npm. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function loadWebTorrent(): Promise<any> {
  register('data:text/javascript,' + encodeURIComponent(HOOKS));
  const root = fileURLToPath(new URL('../../../.cache/test-npm/', import.meta.url));
  let entry: string;
  try {
    entry = createRequire(join(root, 'package.json')).resolve('webtorrent');
  } catch {
    throw new Error('webtorrent is missing: run scripts/install-test-deps.sh (npm package webtorrent@2)');
  }
  return (await import(entry)).default;
}
