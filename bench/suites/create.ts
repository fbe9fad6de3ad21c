// `tandem create` against mktorrent and libtorrent's create_torrent on the same 1 GiB file, in one run.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomFile, benchDir } from '../data.js';
import { bestOf, measure, printTable, type Measurement } from '../measure.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const LT_CREATE = fileURLToPath(new URL('../../../test/interop/helpers/lt_create.py', import.meta.url));
const SIZE_MIB = Number(process.env.BENCH_CREATE_MIB ?? 1024);
const PIECE_EXP = 20; // 1 MiB pieces for every tool

export default {
  async run(): Promise<void> {
    const file = randomFile(`create-${SIZE_MIB}MiB.bin`, SIZE_MIB * 1024 * 1024);
    // Warm the page cache so every tool reads from memory.
    if (readFileSync(file).length === 0) throw new Error(`${file} is empty`);
    const out = join(benchDir(), 'out.torrent');
    const pl = String(2 ** PIECE_EXP);
    const tools: [string, string, string[], string][] = [
      ['tandem v1', process.execPath, [TANDEM, 'create', file, '-o', out, '-f', '-q', '--piece-length', pl], 'v1'],
      ['mktorrent v1', 'mktorrent', ['-l', String(PIECE_EXP), '-a', 'http://127.0.0.1:1/a', '-o', out, file], 'v1'],
      ['libtorrent v1', '/usr/bin/python3', [LT_CREATE, file, out, 'v1', pl], 'v1'],
      ['tandem hybrid', process.execPath, [TANDEM, 'create', file, '-o', out, '-f', '-q', '--hybrid', '--piece-length', pl], 'hybrid'],
      ['libtorrent hybrid', '/usr/bin/python3', [LT_CREATE, file, out, 'hybrid', pl], 'hybrid'],
    ];
    const results = new Map<string, Measurement>();
    for (const [name, cmd, args] of tools) {
      results.set(name, await bestOf(3, () => { rmSync(out, { force: true }); return measure(cmd, args); }));
    }
    const rows = tools.map(([name, , , kind]) => {
      const m = results.get(name)!;
      const ref = (n: string): number => results.get(n)!.wallSeconds;
      return {
        tool: name,
        'MiB/s': SIZE_MIB / m.wallSeconds,
        'wall s': m.wallSeconds,
        'cpu s': m.cpuSeconds,
        'rss MiB': m.peakRssMiB,
        'time vs mktorrent': kind === 'v1' ? m.wallSeconds / ref('mktorrent v1') : '-',
        'time vs libtorrent': m.wallSeconds / ref(`libtorrent ${kind}`),
      };
    });
    console.log(`${SIZE_MIB} MiB file, 1 MiB pieces, page cache warm, best of 3 (time ratio < 1: tandem faster)`);
    printTable(rows);
  },
};
