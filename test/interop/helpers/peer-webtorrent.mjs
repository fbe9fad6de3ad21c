#!/usr/bin/env node
// A WebTorrent 2.x peer for interop tests, TCP on loopback only (no DHT, LSD, trackers, NAT traversal, uTP, WebRTC).
// usage: peer-webtorrent.mjs seed|leech TORRENT_FILE DIR [HOST:PORT]...
// Prints JSON lines: {"event":"listening","port":N}, {"event":"done"}; a leecher exits 0 once done.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// WebTorrent imports its WebRTC module eagerly although TCP peers never use it, and that module's native part cannot
// be built here (REFERENCE-PROGRAMS.md): a resolve hook hands it empty classes. webtorrent 2.8 also passes a hex
// string to uint8-util's arr2hex, which the installed uint8-util rejects: its own imports get a tolerant one.
const STUB = 'export class RTCPeerConnection {}; export class RTCSessionDescription {}; export class RTCIceCandidate {}; export default {};';
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'webrtc-polyfill') return { url: 'data:text/javascript,' + encodeURIComponent(${JSON.stringify(STUB)}), shortCircuit: true };
  if (specifier === 'uint8-util' && context.parentURL?.includes('/node_modules/webtorrent/')) {
    const real = JSON.stringify((await next(specifier, context)).url);
    const src = 'export * from ' + real + '; import { arr2hex as h } from ' + real + '; export const arr2hex = (d) => (typeof d === "string" ? d : h(d));';
    return { url: 'data:text/javascript,' + encodeURIComponent(src), shortCircuit: true };
  }
  return next(specifier, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks));

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { default: WebTorrent } = await import(pathToFileURL(`${root}.cache/test-npm/node_modules/webtorrent/index.js`).href);
const [mode, torrentFile, dir, ...peers] = process.argv.slice(2);
const emit = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');

const client = new WebTorrent({ dht: false, lsd: false, tracker: false, natUpnp: false, natPmp: false, utp: false, webSeeds: false, torrentPort: 0 });
client.on('error', (err) => {
  emit('error', { message: String(err) });
  process.exit(1);
});
const limit = setTimeout(() => {
  emit('timeout');
  process.exit(1);
}, 120_000);
client.on('listening', () => emit('listening', { port: client.address().port }));
const torrent = client.add(readFileSync(torrentFile), { path: dir, announce: [] });
torrent.on('infoHash', () => {
  for (const p of peers) torrent.addPeer(p);
});
torrent.on('done', () => {
  emit('done', { downloaded: torrent.downloaded, uploaded: torrent.uploaded });
  if (mode === 'leech') {
    clearTimeout(limit);
    client.destroy(() => process.exit(0));
  }
});
