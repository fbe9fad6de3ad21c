// Tolerant validation: an application's own comparator (WebAssembly, run by the server in the sandbox) decides
// that two outputs differing in bytes agree, and that a third does not.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addApplication, ComputeServer, encodeBundle, generateSigningKeys, openProject, submitWorkUnit, writeKeys } from '../../src/compute/index.js';
import { ComputeStore } from '../../src/compute/store.js';
import { schedulerCall, uploadOutput } from '../../src/compute/transfer.js';
import { fixtureWasm } from '../helpers/compute.js';
import { tempDir } from '../helpers/tmp.js';

/** A host that takes one instance and reports `stdout` as its output; returns the instance's name. */
async function answer(url: string, stdout: string): Promise<string> {
  const ask = { hostId: null, authenticator: null, userName: null, cores: 1, memoryBytes: 1 << 30, gflops: 1, wasmFeatures: [], workSeconds: 10, finished: [], inProgress: [] };
  const reply = await schedulerCall(url, ask);
  const inst = reply.instances[0];
  assert.ok(inst, `no work for the host answering ${stdout}`);
  const bundle = encodeBundle(new Map([['<stdout>', Buffer.from(stdout)]]));
  await uploadOutput(url, inst.name, inst.permit, bundle);
  const report = { instance: inst.name, status: 'success' as const, reason: null, outputSha256: createHash('sha256').update(bundle).digest('hex'), outputBytes: bundle.length, cpuSeconds: 1, elapsedSeconds: 1 };
  await schedulerCall(url, { ...ask, hostId: reply.hostId, authenticator: reply.authenticator, workSeconds: 0, finished: [report] });
  return inst.name;
}

async function until<V>(what: string, probe: () => V | undefined, timeoutMs: number): Promise<V> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('compute comparator', () => {
  it('agrees on outputs its comparator calls equivalent, and outvotes the one it does not', { timeout: 60_000 }, async (t) => {
    const dir = await tempDir(t, 'tandem-compute-');
    const { paths, store } = await openProject(join(dir, 'proj'), { create: true });
    await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
    await writeFile(join(dir, 'app.wasm'), fixtureWasm('checksum'));
    await writeFile(join(dir, 'cmp.wasm'), fixtureWasm('compare-prefix'));
    await addApplication(paths, store, 'sum', join(dir, 'app.wasm'), paths.privateKey, Date.now(), join(dir, 'cmp.wasm'));
    await writeFile(join(dir, 'in'), 'x');
    await submitWorkUnit(paths, store, { name: 'w', app: 'sum', inputs: [join(dir, 'in')] }, Date.now());
    store.close();
    const server = new ComputeServer({ projectDir: paths.root, port: 0 });
    const { url } = await server.start();
    t.after(() => server.stop());
    const reader = new ComputeStore(paths.db);
    t.after(() => reader.close());
    const state = (name: string): string | undefined => reader.instanceByName(name)?.validateState;

    const a = await answer(url, 'deadbeef 1111111111111111\n');
    const c = await answer(url, 'cafebabe 1111111111111111\n');
    await until('a third copy after disagreement', () => (reader.instancesOf(reader.workUnitByName('w')!.id).length === 3 ? true : undefined), 10_000);
    assert.equal(state(a), 'inconclusive');
    const b = await answer(url, 'deadbeef 2222222222222222\n');
    const wu = await until('a canonical result', () => {
      const w = reader.workUnitByName('w')!;
      return w.canonicalInstanceId !== null ? w : undefined;
    }, 15_000);
    assert.equal(reader.instancesOf(wu.id).find((i) => i.id === wu.canonicalInstanceId)!.name, a);
    assert.deepEqual([state(a), state(b), state(c)], ['valid', 'valid', 'invalid']);
    assert.notEqual(reader.instanceByName(a)!.outputSha256, reader.instanceByName(b)!.outputSha256, 'bitwise they differ');
  });
});
