// The compute project inside the node: started from the daemon's configuration, its status on the node's JSON-RPC
// (`compute.status`, the same as `tandem compute status --json`) and global series on /metrics, stopped and
// started again through the API, and stopped with the daemon.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Volunteer } from '../../src/compute/index.js';
import { fixtureWasm } from '../helpers/compute.js';
import { startDaemon } from '../helpers/daemon.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

interface Status {
  project: string;
  url: string;
  schedulerRequests: number;
  instancesDispatched: number;
  instancesReported: number;
  status: { workUnits: Record<string, number>; instances: Record<string, number>; hosts: { id: number; valid: number }[]; workUnitList?: { name: string; state: string }[] };
}

async function ok(args: string[]): Promise<string> {
  const r = await tandem(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `tandem ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('compute in the node', () => {
  it('the daemon serves the configured project; the API and /metrics show its status', { timeout: 120_000 }, async (t) => {
    const dir = await tempDir(t, 'tandem-compute-node-');
    const proj = join(dir, 'proj');
    await writeFile(join(dir, 'sum.wasm'), fixtureWasm('checksum'));
    await writeFile(join(dir, 'in'), Buffer.from([1, 2, 3]));
    await ok(['compute', 'keygen', proj]);
    await ok(['compute', 'app', proj, '--name', 'sum', '--wasm', join(dir, 'sum.wasm')]);
    await ok(['compute', 'submit', proj, '--app', 'sum', '--input', join(dir, 'in'), '--name', 'one', '--quorum', '1']);
    await writeFile(join(dir, 'tandem.json'), JSON.stringify({ computeProject: proj, computeHttp: '127.0.0.1:0' }));
    const daemon = await startDaemon(t, join(dir, 'state'), ['--config', join(dir, 'tandem.json')]);
    const before = await daemon.rpc<Status>('compute.status');
    assert.equal(before.project, proj);
    assert.deepEqual(before.status.workUnits, { active: 1 });
    assert.deepEqual(before.status.instances, { unsent: 1 });
    assert.match(daemon.output(), new RegExp(`compute project ${proj} at ${before.url.replace(/[.]/g, '\\.')}`));

    // A volunteer against the node's project server: the API then shows what `compute status` shows.
    const ac = new AbortController();
    await new Volunteer({ projectUrl: before.url, stateDir: join(dir, 'v'), cores: 1, maxInstances: 1 }).run(ac.signal);
    const after = await daemon.rpc<Status>('compute.status', { workUnits: true });
    const cli = JSON.parse(await ok(['compute', 'status', proj, '--json', '--work-units'])) as Status['status'];
    assert.deepEqual(after.status.instances, cli.instances);
    assert.deepEqual(after.status.instances, { 'over/success/valid': 1 });
    assert.equal(after.status.hosts.length, 1);
    assert.deepEqual(after.status.workUnitList?.map((w) => [w.name, w.state]), [['one', 'done']]);
    assert.ok(after.schedulerRequests >= 2);
    assert.equal(after.instancesDispatched, 1);
    assert.equal(after.instancesReported, 1);

    const metrics = await (await fetch(`${daemon.url}metrics`, { headers: { authorization: `Bearer ${daemon.token}` } })).text();
    assert.match(metrics, /^tandem_compute_instances\{state="over\/success\/valid"\} 1$/m);
    assert.match(metrics, /^tandem_compute_hosts 1$/m);
    assert.match(metrics, /^tandem_compute_instances_dispatched_total 1$/m);
    assert.match(metrics, /^tandem_compute_work_units\{state="done(_unassimilated)?"\} 1$/m);

    // Stopped and started again through the API; a second project while one runs is refused.
    await daemon.rpc('compute.stop');
    await assert.rejects(daemon.rpc('compute.status'), /no compute project is running/);
    assert.doesNotMatch(await (await fetch(`${daemon.url}metrics`, { headers: { authorization: `Bearer ${daemon.token}` } })).text(), /tandem_compute_/);
    const again = await daemon.rpc<Status>('compute.start', { project: proj, address: '127.0.0.1:0' });
    assert.equal((await (await fetch(new URL('status.json', again.url))).json() as { hosts: unknown[] }).hosts.length, 1);
    await assert.rejects(daemon.rpc('compute.start', { project: proj, address: '127.0.0.1:0' }), /already running/);
    await assert.rejects(daemon.rpc('compute.start', { address: '127.0.0.1:0' }), /project must be a string/);
    assert.equal(await daemon.stop(), 0);
  });

  it('a compute address without a project in the configuration is a usage error (exit 2)', { timeout: 60_000 }, async (t) => {
    const dir = await tempDir(t, 'tandem-compute-node-');
    await writeFile(join(dir, 'tandem.json'), JSON.stringify({ computeHttp: '127.0.0.1:0' }));
    const r = await tandem(['daemon', '--config', join(dir, 'tandem.json'), '--state-dir', join(dir, 'state'), '--rpc', '127.0.0.1:0', '--port', '0', '--listen', '127.0.0.1', '--no-dht'], { timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /computeHttp, computeFilesHttp and computeAssimilateHook need computeProject/);
  });
});
