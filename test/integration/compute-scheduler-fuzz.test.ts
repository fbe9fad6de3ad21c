// The live scheduler under random requests (fast-check): well-formed ones from real and forged hosts naming real,
// foreign and unknown instances, and mutated ones. The server answers each with 200 or a typed 4xx, never a 500,
// and its state stays consistent: an instance is only ever in progress on the host it was sent to.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { addApplication, ComputeServer, generateSigningKeys, openProject, submitWorkUnit, writeKeys } from '../../src/compute/index.js';
import { fixtureWasm } from '../helpers/compute.js';
import { tempDir } from '../helpers/tmp.js';

describe('compute scheduler fuzz', () => {
  it('answers random requests with 200 or a typed 4xx and keeps its state consistent', { timeout: 120_000 }, async (t) => {
    const dir = await tempDir(t, 'tandem-compute-');
    const { paths, store } = await openProject(join(dir, 'proj'), { create: true });
    await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
    await writeFile(join(dir, 'app.wasm'), fixtureWasm('checksum'));
    await addApplication(paths, store, 'sum', join(dir, 'app.wasm'), paths.privateKey, Date.now());
    await writeFile(join(dir, 'in'), 'x');
    for (let n = 0; n < 20; n++) await submitWorkUnit(paths, store, { name: `w${n}`, app: 'sum', inputs: [join(dir, 'in')] }, Date.now());
    store.close();
    const errors: unknown[] = [];
    const server = new ComputeServer({ projectDir: paths.root, port: 0, onError: (e) => errors.push(e) });
    const { url } = await server.start();
    t.after(() => server.stop());
    const post = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(new URL('scheduler', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const hosts: { hostId: number; authenticator: string }[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await post({ cores: 2, memoryBytes: 1 << 30, gflops: 1, workSeconds: 100 });
      hosts.push({ hostId: r.json['hostId'] as number, authenticator: r.json['authenticator'] as string });
    }
    const name = fc.oneof(fc.constantFrom(...Array.from({ length: 20 }, (_, n) => `w${n}_0`), ...Array.from({ length: 20 }, (_, n) => `w${n}_1`)), fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/));
    const finished = fc.record({
      instance: name, status: fc.constantFrom('success', 'client_error'), reason: fc.constantFrom(null, 'cpu_limit'),
      outputSha256: fc.stringMatching(/^[0-9a-f]{64}$/), outputBytes: fc.nat(1000), cpuSeconds: fc.double({ min: 0, max: 100, noNaN: true }), elapsedSeconds: fc.nat(100),
    });
    const who = fc.oneof(fc.constantFrom(...hosts), fc.constant({ hostId: 99, authenticator: 'x'.repeat(20) }), fc.constant({ hostId: null, authenticator: null }));
    const request = fc.record({
      who, cores: fc.integer({ min: 1, max: 8 }), workSeconds: fc.nat(1000), finished: fc.array(finished, { maxLength: 4 }), inProgress: fc.array(name, { maxLength: 4 }),
      junk: fc.option(fc.dictionary(fc.constantFrom('cores', 'finished', 'workSeconds', 'hostId'), fc.jsonValue({ maxDepth: 2 })), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const body = { ...r.who, cores: r.cores, memoryBytes: 1 << 30, gflops: 1, workSeconds: r.workSeconds, finished: r.finished, inProgress: r.inProgress, ...r.junk };
        const { status, json } = await post(body);
        assert.ok([200, 400, 401].includes(status), `status ${status}: ${JSON.stringify(json)}`);
        if (status !== 200) assert.match(String((json['error'] as { code: string }).code), /^COMPUTE_/);
      }),
      { numRuns: 300 },
    );
    assert.deepEqual(errors, [], 'no failure reached the 500 path');
    const db = new Database(paths.db, { readonly: true });
    t.after(() => db.close());
    const bad = db.prepare(`SELECT COUNT(*) AS n FROM instances WHERE server_state = 'in_progress' AND (host_id IS NULL OR deadline_ms IS NULL)`).get() as { n: number };
    assert.equal(bad.n, 0);
    const twice = db.prepare(`SELECT COUNT(*) AS n FROM (SELECT workunit_id, host_id FROM instances WHERE host_id IS NOT NULL GROUP BY workunit_id, host_id HAVING COUNT(*) > 1)`).get() as { n: number };
    assert.equal(twice.n, 0, 'never two instances of one work unit on one host');
  });
});
