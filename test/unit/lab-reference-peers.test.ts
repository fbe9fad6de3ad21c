import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aria2Argv, isReferenceMode, libtorrentArgv, missingPrograms, requirePrograms } from '../../src/lab/reference-peers.js';
import { parseModes } from '../../src/lab/units.js';

test('the modes libtorrent and aria2 are known, and are the reference ones', () => {
  assert.deepEqual(parseModes('p2p,libtorrent,aria2'), ['p2p', 'libtorrent', 'aria2']);
  assert.deepEqual(parseModes('cs,p2p,hybrid,libtorrent,aria2').filter(isReferenceMode), ['libtorrent', 'aria2']);
});

test('a missing program is named with the package to install; tandem modes need nothing', () => {
  const none = (): boolean => false;
  assert.deepEqual(missingPrograms(['cs', 'p2p', 'hybrid'], none), []);
  assert.deepEqual(missingPrograms(['p2p', 'libtorrent', 'aria2'], none), ['mode libtorrent needs /usr/bin/python3 with the libtorrent module (apt-get install python3-libtorrent)', 'mode aria2 needs aria2c (apt-get install aria2)']);
  const onlyAria = (argv: string[]): boolean => argv[0] === 'aria2c';
  assert.deepEqual(missingPrograms(['libtorrent', 'aria2'], onlyAria), ['mode libtorrent needs /usr/bin/python3 with the libtorrent module (apt-get install python3-libtorrent)']);
});

test('on this machine (and CI) both reference programs are installed: the real check passes', () => {
  assert.deepEqual(missingPrograms(['libtorrent', 'aria2']), []);
  assert.doesNotThrow(() => requirePrograms(['libtorrent', 'aria2']));
});

test('aria2: DHT, LPD and PEX off, seeding forever; the clients report completion through the hook, the seed checks its copy', () => {
  const client = aria2Argv('client', '/w/t.torrent', '/w/c1', 6881, '/w/done.sh');
  assert.equal(client[0], 'aria2c');
  assert.equal(client.at(-1), '/w/t.torrent');
  for (const opt of ['--dir=/w/c1', '--listen-port=6881', '--enable-dht=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--seed-ratio=0.0', '--on-bt-download-complete=/w/done.sh']) assert.ok(client.includes(opt), opt);
  const seed = aria2Argv('seed', '/w/t.torrent', '/w/server', 6881, '/w/done.sh');
  assert.ok(seed.includes('--check-integrity=true'));
  assert.ok(!seed.some((a) => a.startsWith('--on-bt-download-complete')));
});

test("libtorrent: Debian's python, uTP, DHT, LSD, UPnP and NAT-PMP off, and no high-performance preset", () => {
  const argv = libtorrentArgv('client', '/w/t.torrent', '/w/c1', 6881);
  assert.equal(argv[0], '/usr/bin/python3');
  assert.deepEqual(argv.slice(3), ['client', '/w/t.torrent', '/w/c1', '6881']);
  const script = argv[2]!;
  for (const off of ['enable_incoming_utp', 'enable_outgoing_utp', 'enable_dht', 'enable_lsd', 'enable_upnp', 'enable_natpmp']) assert.match(script, new RegExp(`'${off}': False`));
  assert.doesNotMatch(script, /high_performance_seed/);
});
