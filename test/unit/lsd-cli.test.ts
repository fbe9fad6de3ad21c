import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { lsdAnnounceIntervalMs, lsdEnabled, lsdInterfaces } from '../../src/node/node-lsd.js';

test('LSD is on by default, off with --no-lsd, and off under TANDEM_NO_PUBLIC_DHT=1 unless --lsd forces it', () => {
  assert.equal(lsdEnabled(undefined, {}), true);
  assert.equal(lsdEnabled(false, {}), false);
  assert.equal(lsdEnabled(true, {}), true);
  assert.equal(lsdEnabled(undefined, { TANDEM_NO_PUBLIC_DHT: '1' }), false);
  assert.equal(lsdEnabled(true, { TANDEM_NO_PUBLIC_DHT: '1' }), true);
  assert.equal(lsdEnabled(false, { TANDEM_NO_PUBLIC_DHT: '1' }), false);
  assert.equal(lsdEnabled(undefined, { TANDEM_NO_PUBLIC_DHT: '0' }), true);
});

test('announces: every minute while a download found nobody, every 5 minutes otherwise (BEP 14: at most once a minute)', () => {
  assert.equal(lsdAnnounceIntervalMs({ done: false, peersFound: 0 }), 60_000);
  assert.equal(lsdAnnounceIntervalMs({ done: false, peersFound: 2 }), 300_000);
  assert.equal(lsdAnnounceIntervalMs({ done: true, peersFound: 0 }), 300_000);
});

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;
const NETS = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('192.168.1.5', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6')],
  wlan0: [nic('10.0.0.7', 'IPv4')],
};

test('where to announce: every non-loopback interface for wildcards, the one holding a given address otherwise', () => {
  assert.deepEqual(lsdInterfaces(['0.0.0.0', '::'], NETS), [
    { family: 4, interfaceAddress: '192.168.1.5' },
    { family: 4, interfaceAddress: '10.0.0.7' },
    { family: 6, interfaceAddress: '::%eth0' },
  ]);
  // `::` alone is dual-stack: IPv4 too.
  assert.deepEqual(lsdInterfaces(['::'], NETS), [
    { family: 4, interfaceAddress: '192.168.1.5' },
    { family: 6, interfaceAddress: '::%eth0' },
    { family: 4, interfaceAddress: '10.0.0.7' },
  ]);
  assert.deepEqual(lsdInterfaces(['0.0.0.0'], NETS), [
    { family: 4, interfaceAddress: '192.168.1.5' },
    { family: 4, interfaceAddress: '10.0.0.7' },
  ]);
  assert.deepEqual(lsdInterfaces(['10.0.0.7'], NETS), [{ family: 4, interfaceAddress: '10.0.0.7' }]);
  assert.deepEqual(lsdInterfaces(['[2001:db8::5]'], NETS), [{ family: 6, interfaceAddress: '::%eth0' }]);
  // Loopback only (tests): nowhere, a neighbour cannot be there.
  assert.deepEqual(lsdInterfaces(['127.0.0.1', '::1'], NETS), []);
  assert.deepEqual(lsdInterfaces(['192.0.2.1'], NETS), []);
});
