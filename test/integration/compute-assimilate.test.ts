// Assimilation: the canonical output in results/, the hook command run with the work unit's name and state, and
// the uploads and inputs nobody needs any more deleted; a failing hook is retried, not skipped.
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addApplication, ComputeServer, generateSigningKeys, openProject, submitWorkUnit, Volunteer, writeKeys } from '../../src/compute/index.js';
import { fixtureWasm } from '../helpers/compute.js';
import { tempDir } from '../helpers/tmp.js';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('compute assimilation', () => {
  it('writes the result, runs the hook (again after it failed), and deletes what is no longer needed', { timeout: 60_000 }, async (t) => {
    const dir = await tempDir(t, 'tandem-compute-');
    const { paths, store } = await openProject(join(dir, 'proj'), { create: true });
    await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
    await writeFile(join(dir, 'app.wasm'), fixtureWasm('checksum'));
    await addApplication(paths, store, 'sum', join(dir, 'app.wasm'), paths.privateKey, Date.now());
    await writeFile(join(dir, 'in'), 'assimilate me');
    await submitWorkUnit(paths, store, { name: 'one', app: 'sum', inputs: [join(dir, 'in')], replication: { minQuorum: 1, targetNResults: 1 } }, Date.now());
    const inputSha = store.workUnitByName('one')!.inputs[0]!.sha256;
    store.close();
    // The hook fails until the flag file exists; the server's clock runs an hour ahead so the input is old enough.
    const log = join(dir, 'hook.log');
    const hook = `test -e ${join(dir, 'flag')} && echo "$TANDEM_WORK_UNIT $TANDEM_STATE $TANDEM_RESULT" >> ${log}`;
    const errors: string[] = [];
    const server = new ComputeServer({ projectDir: paths.root, port: 0, assimilateHook: hook, now: () => Date.now() + 3_600_000, onError: (e) => errors.push((e as Error).message) });
    const { url } = await server.start();
    t.after(() => server.stop());
    const ac = new AbortController();
    t.after(() => ac.abort());
    await new Volunteer({ projectUrl: url, stateDir: join(dir, 'v'), cores: 1, maxInstances: 1 }).run(ac.signal);
    await until('the hook failed once', async () => errors.some((e) => /assimilation hook for one ended with status 1/.test(e)), 10_000);
    assert.equal(await exists(log), false);
    await writeFile(join(dir, 'flag'), '');
    await until('the hook ran', () => exists(log), 15_000);
    assert.equal(await readFile(log, 'utf8'), `one done ${join(paths.results, 'one')}\n`);
    assert.match(await readFile(join(paths.results, 'one', 'stdout'), 'utf8'), /^[0-9a-f]{8} [0-9a-f]{16}\n$/);
    await until('uploads and the input deleted', async () => !(await exists(join(paths.uploads, 'one_0'))) && !(await exists(join(paths.files, inputSha))), 5_000);
  });
});
