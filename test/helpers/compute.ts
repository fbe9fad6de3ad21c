import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { requireProgram } from './programs.js';

/** The checked-in WAT sources of the compute tests (test/fixtures/compute, beside the compiled tests' tree). */
export const COMPUTE_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/compute/', import.meta.url));

/** Compiles WebAssembly text with Debian's wat2wasm; fails loudly when wabt is missing. */
export function wat2wasm(source: string, extraFlags: string[] = []): Buffer {
  const bin = requireProgram('wat2wasm', 'wabt');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-wat-'));
  try {
    writeFileSync(join(dir, 'm.wat'), source);
    const r = spawnSync(bin, [...extraFlags, join(dir, 'm.wat'), '-o', join(dir, 'm.wasm')], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`wat2wasm failed: ${r.stderr}`);
    return readFileSync(join(dir, 'm.wasm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fixtureWasm(name: 'checksum' | 'hostile' | 'compare-prefix' | 'steps'): Buffer {
  return wat2wasm(readFileSync(join(COMPUTE_FIXTURES, `${name}.wat`), 'utf8'));
}

/** Pids of processes whose command line contains `label` (the sandbox child carries its instance's name). */
export async function sandboxPids(label: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('child.js') && cmd.split('\0').includes(label)) pids.push(Number(entry));
  }
  return pids;
}
