// The project database: which work units use a file is indexed (`workunit_inputs`), and a project made before
// that table existed is indexed when it is opened.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addApplication, generateSigningKeys, openProject, submitWorkUnit, writeKeys } from '../../src/compute/index.js';
import { ComputeStore } from '../../src/compute/store.js';
import { fixtureWasm } from '../helpers/compute.js';
import { tempDir } from '../helpers/tmp.js';

describe('compute store', () => {
  it('indexes the inputs of work units, also those of a project made before the index', async (t) => {
    const dir = await tempDir(t, 'tandem-compute-store-');
    const { paths, store } = await openProject(join(dir, 'proj'), { create: true });
    await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
    await writeFile(join(dir, 'app.wasm'), fixtureWasm('checksum'));
    await addApplication(paths, store, 'sum', join(dir, 'app.wasm'), paths.privateKey, Date.now());
    for (const [n, text] of [['a', 'one'], ['b', 'two']] as const) await writeFile(join(dir, n), text);
    await submitWorkUnit(paths, store, { name: 'w1', app: 'sum', inputs: [join(dir, 'a'), join(dir, 'b')] }, Date.now());
    await submitWorkUnit(paths, store, { name: 'w2', app: 'sum', inputs: [join(dir, 'b')] }, Date.now());
    const [a, b] = store.workUnitByName('w1')!.inputs.map((i) => i.sha256);
    const rows = (s: ComputeStore): string[] => (s.db.prepare('SELECT sha256, workunit_id AS wu FROM workunit_inputs ORDER BY wu, sha256').all() as { sha256: string; wu: number }[]).map((r) => `${r.sha256 === a ? 'a' : 'b'}${r.wu}`);
    const expected = rows(store);
    assert.deepEqual([...expected].sort(), ['a1', 'b1', 'b2']);
    assert.ok(store.inputInUse(a!) && store.inputInUse(b!));
    store.updateWorkUnit(1, { assimilated: true });
    assert.ok(!store.inputInUse(a!), 'a is used by w1 only, assimilated');
    assert.ok(store.inputInUse(b!), 'b is still used by w2');
    // An older project: no index table. Opening it builds the index from the work units.
    store.db.exec('DROP TABLE workunit_inputs');
    store.close();
    const reopened = new ComputeStore(paths.db);
    t.after(() => reopened.close());
    assert.deepEqual(rows(reopened), expected);
    assert.ok(reopened.inputInUse(b!) && !reopened.inputInUse(a!));
  });
});
