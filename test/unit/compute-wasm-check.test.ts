// What the sandbox refuses before running a module: read from the binary itself, hostile bytes included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkModule, readModuleFacts } from '../../src/compute/sandbox/wasm-check.js';
import { ComputeError } from '../../src/compute/errors.js';
import { fixtureWasm, wat2wasm } from '../helpers/compute.js';

const START = '(func (export "_start"))';
const refused = (re: RegExp) => (err: unknown) => err instanceof ComputeError && err.code === 'COMPUTE_MODULE_REFUSED' && re.test(err.message);

describe('compute wasm check', () => {
  it('accepts the test application and reads its memory limits', () => {
    const wasm = fixtureWasm('checksum');
    assert.deepEqual(checkModule(wasm, 1 << 20), { maxMemoryBytes: 4 * 65536 });
    const facts = readModuleFacts(wasm);
    assert.deepEqual(facts.memories, [{ minPages: 2, maxPages: 4, shared: false, memory64: false }]);
    assert.ok(facts.imports.every((i) => i.module === 'wasi_snapshot_preview1'));
  });
  const cases: [name: string, wat: string, flags: string[], why: RegExp][] = [
    ['no maximum', `(module (memory (export "memory") 1) ${START})`, [], /no maximum/],
    ['above the bound', `(module (memory (export "memory") 1 100) ${START})`, [], /above the work unit's bound/],
    ['shared memory', `(module (memory (export "memory") 1 2 shared) ${START})`, ['--enable-threads'], /shared/],
    ['imported memory', `(module (import "env" "memory" (memory 1 2)) ${START})`, [], /imports env.memory/],
    ['a foreign function', `(module (import "env" "connect" (func)) (memory (export "memory") 1 2) ${START})`, [], /imports env.connect/],
    ['no memory', `(module ${START})`, [], /0 memories/],
    ['no _start', `(module (memory (export "memory") 1 2))`, [], /_start/],
    ['memory not exported', `(module (memory 1 2) ${START})`, [], /no memory named/],
  ];
  for (const [name, wat, flags, why] of cases) {
    it(`refuses a module with ${name}`, () => {
      assert.throws(() => checkModule(wat2wasm(wat, flags), 1 << 20), refused(why));
    });
  }
  it('refuses what is not WebAssembly', () => {
    assert.throws(() => checkModule(Buffer.from('#!/bin/sh\nrm -rf /\n'), 1 << 20), refused(/not a WebAssembly/));
  });
  it('never throws anything but a ComputeError on mutated modules (fuzz)', () => {
    const good = fixtureWasm('checksum');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(good.length), (edits, cut) => {
        const bytes = Buffer.from(good.subarray(0, Math.max(8, cut)));
        for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
        try {
          checkModule(bytes, 1 << 20);
        } catch (err) {
          assert.ok(err instanceof ComputeError, String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
