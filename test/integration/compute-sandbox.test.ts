// The sandbox with real child processes: an honest module's output, and a hostile one stopped every time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeBundle } from '../../src/compute/sandbox/bundle.js';
import { runSandboxed, type SandboxResult } from '../../src/compute/sandbox/sandbox.js';
import { fixtureWasm, wat2wasm } from '../helpers/compute.js';

const bounds = { cpuSeconds: 2, memoryBytes: 1 << 20, outputBytes: 1 << 20 };
const seed = (s: string): Buffer => createHash('sha256').update(s).digest();

function stdout(r: SandboxResult): string {
  assert.equal(r.status, 'success', r.status === 'client_error' ? `${r.reason}: ${r.message}` : '');
  return r.status === 'success' ? decodeBundle(r.bundle).get('<stdout>')!.toString() : '';
}

describe('compute sandbox', () => {
  const checksum = fixtureWasm('checksum');
  const hostile = fixtureWasm('hostile');
  const attack = (c: string, b = bounds): Promise<SandboxResult> => runSandboxed({ wasm: hostile, inputs: [['in', Buffer.from(c)]], stdinName: 'in', seed: seed('x'), bounds: b });

  it('runs the same work unit to the same bytes, and another seed to other random bytes', async () => {
    const run = (s: string) => runSandboxed({ wasm: checksum, inputs: [['in', Buffer.from('\x02abc')]], stdinName: 'in', seed: seed(s), bounds });
    const [a, b, c] = await Promise.all([run('wu1'), run('wu1'), run('wu2')]);
    assert.match(stdout(a), /^[0-9a-f]{8} [0-9a-f]{16}\n$/);
    assert.equal(stdout(a), stdout(b));
    assert.equal(stdout(a).slice(0, 8), stdout(c).slice(0, 8), 'the hash depends on the input only');
    assert.notEqual(stdout(a).slice(9), stdout(c).slice(9), 'random bytes come from the work unit');
  });
  it('gives no host file: /etc/passwd, ../ and /proc are not capable (76)', async () => {
    const out = stdout(await attack('p'));
    assert.equal(out, '76 76 76 ');
    assert.doesNotMatch(out, /root:/);
  });
  it('gives no sockets: every sock_* call is ENOSYS (52)', async () => {
    assert.equal(stdout(await attack('s')), '52 52 52 ');
  });
  it('memory cannot grow past the declared maximum', async () => {
    const r = await attack('g');
    assert.equal(r.status, 'client_error');
    assert.equal(r.status === 'client_error' && r.reason, 'trap');
  });
  it('a spinning module is killed at its CPU bound', async () => {
    const r = await attack('l', { ...bounds, cpuSeconds: 1 });
    assert.equal(r.status === 'client_error' && r.reason, 'cpu_limit');
    assert.ok(r.elapsedSeconds < 5, `stopped in ${r.elapsedSeconds} s`);
  });
  it('1 GiB of output stops at the output bound', async () => {
    const r = await attack('o');
    assert.equal(r.status === 'client_error' && r.reason, 'output_limit');
  });
  it('output files are part of the result; a non-zero exit is a client error', async () => {
    const r = await attack('c');
    assert.equal(r.status, 'success');
    assert.equal(r.status === 'success' && decodeBundle(r.bundle).get('out.txt')!.toString(), 'ok');
    const e = await attack('e');
    assert.equal(e.status === 'client_error' && e.reason, 'exit_nonzero');
  });
  it('refuses a module without a memory maximum before it runs', async () => {
    const wasm = wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))');
    const r = await runSandboxed({ wasm, inputs: [], stdinName: null, seed: seed('x'), bounds });
    assert.equal(r.status === 'client_error' && r.reason, 'refused');
  });
  it('an aborted run kills its child', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runSandboxed({ wasm: hostile, inputs: [['in', Buffer.from('l')]], stdinName: 'in', seed: seed('x'), bounds: { ...bounds, cpuSeconds: 30 }, signal: ac.signal });
    assert.equal(r.status === 'client_error' && r.reason, 'crashed');
    assert.ok(r.elapsedSeconds < 5);
  });
});
