// `npm run bench`: runs every suite in bench/suites/ one after another (never two at once: the machine has few
// cores and side-by-side figures must share conditions). BENCH_ONLY=name1,name2 picks suites.
import { readdirSync } from 'node:fs';

// Benchmarks run on loopback only: a DHT node that would reach the public DHT fails loudly (src/dht/bootstrap.ts).
process.env.TANDEM_NO_PUBLIC_DHT = '1';

export interface BenchSuite {
  /** Runs the suite, printing its own table with ratios to the reference programs. */
  run(): Promise<void>;
}

const dir = new URL('./suites/', import.meta.url);
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
let failed = 0;
for (const file of files) {
  const name = file.replace(/\.js$/, '');
  if (only && !only.includes(name)) continue;
  console.log(`\n=== bench: ${name} ===`);
  try {
    const suite = (await import(new URL(file, dir).href)) as { default: BenchSuite };
    await suite.default.run();
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
