// What a project server and its volunteers refuse: hostile HTTP at the server; tampered applications, bad
// signatures and over-bound instances at a real `tandem compute join`; and a volunteer killed with kill -9 in the
// middle of an instance, whose sandbox dies with it and whose slot is run again after its restart.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ComputeServer, generateSigningKeys } from '../../src/compute/index.js';
import { signManifest, loadPrivateKey } from '../../src/compute/signing.js';
import { fixtureWasm, sandboxPids, wat2wasm } from '../helpers/compute.js';
import { startProcess, tandem, TANDEM_ARGV } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

type T = Parameters<typeof tempDir>[0];

async function ok(args: string[]): Promise<string> {
  const r = await tandem(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `tandem ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function project(t: T): Promise<{ dir: string; proj: string }> {
  const dir = await tempDir(t, 'tandem-compute-');
  const proj = join(dir, 'proj');
  await writeFile(join(dir, 'checksum.wasm'), fixtureWasm('checksum'));
  await writeFile(join(dir, 'hostile.wasm'), fixtureWasm('hostile'));
  await ok(['compute', 'keygen', proj]);
  return { dir, proj };
}

async function serve(t: T, proj: string): Promise<string> {
  const server = new ComputeServer({ projectDir: proj, host: '127.0.0.1', port: 0 });
  const { url } = await server.start();
  t.after(() => server.stop());
  return url;
}

/** Rows of the instances table, read while the server runs (WAL lets a reader in). */
function instances(proj: string): { name: string; wu: string; host_id: number | null; server_state: string; outcome: string | null; validate_state: string; failure_reason: string | null }[] {
  const db = new Database(join(proj, 'project.db'), { readonly: true });
  try {
    return db.prepare('SELECT i.*, w.name AS wu FROM instances i JOIN workunits w ON w.id = i.workunit_id ORDER BY i.id').all() as ReturnType<typeof instances>;
  } finally {
    db.close();
  }
}

async function until<V>(what: string, probe: () => V | undefined | Promise<V | undefined>, timeoutMs: number): Promise<V> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('compute: what the server refuses', () => {
  it('answers hostile HTTP with typed JSON errors', async (t) => {
    const { dir, proj } = await project(t);
    await ok(['compute', 'app', proj, '--name', 'sum', '--wasm', join(dir, 'checksum.wasm')]);
    await writeFile(join(dir, 'in'), 'x');
    await ok(['compute', 'submit', proj, '--app', 'sum', '--input', join(dir, 'in'), '--name', 'w1', '--quorum', '1']);
    const url = await serve(t, proj);
    const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(new URL(path, url), { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const code = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    assert.deepEqual(await code(await post('scheduler', 'x'.repeat(300 * 1024))), [413, 'COMPUTE_TOO_LARGE']);
    assert.deepEqual(await code(await post('scheduler', '{"cores":')), [400, 'COMPUTE_BAD_REQUEST']);
    assert.deepEqual(await code(await post('scheduler', JSON.stringify({ cores: 0, memoryBytes: 0, gflops: 0, workSeconds: 0 }))), [400, 'COMPUTE_BAD_REQUEST']);
    const forged = { hostId: 1, authenticator: 'A'.repeat(32), cores: 1, memoryBytes: 1 << 30, gflops: 1, workSeconds: 10 };
    assert.deepEqual(await code(await post('scheduler', JSON.stringify(forged))), [401, 'COMPUTE_AUTH']);
    const first = (await (await post('scheduler', JSON.stringify({ ...forged, hostId: null, authenticator: null }))).json()) as { instances: { name: string; permit: string }[] };
    const inst = first.instances[0]!;
    assert.equal(inst.name, 'w1_0');
    const upload = (permit: string, body: Buffer): Promise<Response> => post(`upload/${inst.name}?permit=${encodeURIComponent(permit)}&offset=0`, body, { 'content-type': 'application/octet-stream' });
    assert.deepEqual(await code(await upload(inst.permit.replace(/^\d+/, '99999999'), Buffer.alloc(10))), [403, 'COMPUTE_BAD_PERMIT']);
    assert.deepEqual(await code(await upload(inst.permit, Buffer.alloc(17 * 1024 * 1024))), [413, 'COMPUTE_TOO_LARGE']);
    // Cut mid-body, then resumed: the server keeps what arrived and takes the rest at that offset.
    const target = new URL(`upload/${inst.name}?permit=${encodeURIComponent(inst.permit)}&offset=0`, url);
    const sock = connect(Number(target.port), '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n`);
    sock.write(Buffer.alloc(40, 7));
    await new Promise((r) => setTimeout(r, 200));
    sock.destroy();
    const offsetOf = async (): Promise<string | null> => (await fetch(new URL(`upload/${inst.name}?permit=${encodeURIComponent(inst.permit)}`, url), { method: 'HEAD' })).headers.get('upload-offset');
    await until('the cut upload was closed', async () => ((await offsetOf()) === '40' ? true : undefined), 5_000);
    const rest = await post(`upload/${inst.name}?permit=${encodeURIComponent(inst.permit)}&offset=40`, Buffer.alloc(60, 7), { 'content-type': 'application/octet-stream' });
    assert.deepEqual(await rest.json(), { offset: 100 });
    assert.deepEqual(await code(await post(`upload/${inst.name}?permit=${encodeURIComponent(inst.permit)}&offset=7`, Buffer.alloc(1), { 'content-type': 'application/octet-stream' })), [400, 'COMPUTE_BAD_REQUEST']);
    assert.equal((await upload(inst.permit, Buffer.alloc(10))).status, 200, 'offset 0 starts again');
    for (const path of ['file/..%2f..%2fetc%2fpasswd', 'file/' + 'a'.repeat(64), 'nothing']) {
      const res = await fetch(new URL(path, url));
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    // A report whose hash is not what was uploaded is an error, not a result.
    const host = first as unknown as { hostId: number; authenticator: string };
    const lie = { hostId: host.hostId, authenticator: host.authenticator, cores: 1, memoryBytes: 1 << 30, gflops: 1, workSeconds: 0,
      finished: [{ instance: inst.name, status: 'success', outputSha256: 'f'.repeat(64), outputBytes: 10, cpuSeconds: 1, elapsedSeconds: 1 }] };
    const acked = (await (await post('scheduler', JSON.stringify(lie))).json()) as { acks: string[] };
    assert.deepEqual(acked.acks, [inst.name]);
    const row = instances(proj).find((i) => i.name === inst.name)!;
    assert.deepEqual([row.outcome, row.failure_reason], ['client_error', 'upload_mismatch']);
  });
});

describe('compute: what volunteers refuse', () => {
  it('a tampered application, a bad signature and instances over their bounds all end as client errors', { timeout: 120_000 }, async (t) => {
    const { dir, proj } = await project(t);
    // A module of its own for "tampered": files are content-addressed, so a shared one would be tampered for all.
    const small = wat2wasm('(module (memory (export "memory") 1 1) (func (export "_start")))');
    await writeFile(join(dir, 'small.wasm'), small);
    for (const [name, wasm] of [['good', 'checksum'], ['unsigned', 'checksum'], ['tampered', 'small'], ['hostile', 'hostile']]) {
      await ok(['compute', 'app', proj, '--name', name!, '--wasm', join(dir, `${wasm}.wasm`)]);
    }
    // "unsigned": its manifest signed by a stranger's key; "tampered": its bytes replaced after signing.
    const db = new Database(join(proj, 'project.db'));
    const stranger = loadPrivateKey(generateSigningKeys().privatePem);
    const unsigned = db.prepare(`SELECT manifest, wasm_sha256 FROM apps WHERE name = 'unsigned'`).get() as { manifest: string };
    db.prepare(`UPDATE apps SET signature = ? WHERE name = 'unsigned'`).run(signManifest(unsigned.manifest, stranger));
    const tampered = db.prepare(`SELECT wasm_sha256 FROM apps WHERE name = 'tampered'`).get() as { wasm_sha256: string };
    db.close();
    const altered = Buffer.concat([small.subarray(0, small.length - 1), Buffer.from([small[small.length - 1]! ^ 1])]);
    await writeFile(join(proj, 'files', tampered.wasm_sha256), altered);
    const cases: [wu: string, app: string, input: string, flags: string[], reason: string][] = [
      ['w-unsigned', 'unsigned', 'a', [], 'app_refused'],
      ['w-tampered', 'tampered', 'p', [], 'app_refused'],
      ['w-spin', 'hostile', 'l', ['--cpu-seconds', '1'], 'cpu_limit'],
      ['w-flood', 'hostile', 'o', ['--output-max', '64KiB'], 'output_limit'],
      ['w-grow', 'hostile', 'g', [], 'trap'],
      ['w-memory', 'good', 'a', ['--memory', '128KiB'], 'refused'],
    ];
    for (const [wu, app, input, flags] of cases) {
      await writeFile(join(dir, wu), input);
      await ok(['compute', 'submit', proj, '--app', app, '--input', join(dir, wu), '--name', wu, '--quorum', '1', ...flags]);
    }
    const url = await serve(t, proj);
    const v = startProcess(t, process.execPath, [...TANDEM_ARGV, 'compute', 'join', url, '--cores', '2', '--state-dir', join(dir, 'v'), '--json']);
    let events = '';
    v.stdout!.on('data', (d: Buffer) => (events += d.toString()));
    const rows = await until('every case reported', () => {
      const r = instances(proj).filter((i) => i.host_id !== null && i.outcome !== null);
      return r.length >= cases.length ? r : undefined;
    }, 60_000);
    for (const [wu, , , , reason] of cases) {
      const row = rows.find((r) => r.wu === wu)!;
      assert.deepEqual([row.outcome, row.failure_reason], ['client_error', reason], wu);
    }
    assert.match(events, /"type":"refused".*bad manifest signature/);
    assert.match(events, /"type":"refused".*hash/);
  });

  it('a volunteer killed with kill -9 mid-instance takes its sandbox with it, and runs the slot again after its restart', { timeout: 120_000 }, async (t) => {
    const { dir, proj } = await project(t);
    await ok(['compute', 'app', proj, '--name', 'sum', '--wasm', join(dir, 'checksum.wasm')]);
    await writeFile(join(dir, 'slow'), Buffer.from([200, 1, 2, 3]));
    await ok(['compute', 'submit', proj, '--app', 'sum', '--input', join(dir, 'slow'), '--name', 'slow', '--quorum', '1', '--deadline', '60s']);
    const url = await serve(t, proj);
    const args = [...TANDEM_ARGV, 'compute', 'join', url, '--cores', '1', '--state-dir', join(dir, 'v'), '--json'];
    const first = startProcess(t, process.execPath, args);
    const sandboxes = await until('the sandbox child started', async () => {
      const pids = await sandboxPids('slow_0');
      return pids.length > 0 ? pids : undefined;
    }, 20_000);
    t.after(() => sandboxes.forEach((p) => { try { process.kill(p, 'SIGKILL'); } catch { /* gone, as it should be */ } }));
    first.kill('SIGKILL');
    await until('the orphaned sandbox exited', async () => ((await sandboxPids('slow_0')).length === 0 ? true : undefined), 5_000);
    assert.equal(instances(proj)[0]!.server_state, 'in_progress');
    startProcess(t, process.execPath, args);
    const row = await until('the restarted volunteer reported', () => {
      const r = instances(proj)[0]!;
      return r.outcome !== null ? r : undefined;
    }, 60_000);
    assert.deepEqual([row.outcome, row.validate_state, instances(proj).length], ['success', 'valid', 1], 'the same instance, run again, no copy needed');
  });
});
