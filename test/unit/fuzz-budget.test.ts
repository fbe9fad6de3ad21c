// The build's short fuzz budget: a few hundred inputs to every decoder from a fixed seed (the same harness as
// `npm run fuzz`, which runs a million each). A failure here is saved nowhere: run `npm run fuzz -- --only NAME`
// to get its reproducer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTarget } from '../fuzz/harness.js';
import { FUZZ_TARGETS } from '../fuzz/targets.js';

const NAMES = FUZZ_TARGETS.map((t) => t.name);

test('the fuzzer covers every decoder the issue names, and the newer ones', () => {
  for (const name of ['bencode', 'metainfo', 'magnet', 'wire-message', 'wire-handshake', 'ext-handshake', 'ut-metadata', 'ut-pex', 'tracker-http-query', 'tracker-http-response', 'tracker-udp-request', 'tracker-udp-response', 'krpc', 'tftp', 'http-head', 'lsd', 'mse-responder', 'mse-initiator', 'rpc-transmission', 'rpc-json', 'ftp-command', 'compute-scheduler']) {
    assert.ok(NAMES.includes(name), `no fuzz target ${name}`);
  }
});

for (const target of FUZZ_TARGETS) {
  test(`fuzz budget: ${target.name}`, async () => {
    const r = await fuzzTarget(target, { count: 300, seconds: 5, seed: 0x5eed, perInputMs: 1000 });
    assert.deepEqual(r.failures.map((f) => `${f.message.split('\n')[0]} (input ${f.input.toString('base64').slice(0, 200)})`), []);
    // Seeds are accepted and mutations are refused: both paths of the decoder ran.
    assert.ok(r.accepted > 0 && r.rejected > 0, `${target.name}: ${r.accepted} accepted, ${r.rejected} refused of ${r.inputs}`);
  });
}
