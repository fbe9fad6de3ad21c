// `npm run fuzz`: every decoder fed mutated and random inputs from a fixed seed, for a budget of inputs or
// seconds each. A failure (an untyped exception, an input slower than the bound, a broken round trip) is saved
// as a reproducer under test/fixtures/fuzz/<decoder>/, which test/unit/fuzz-reproducers.test.ts replays forever.
//
//   npm run fuzz -- --count 1000000          a million inputs to each decoder
//   npm run fuzz -- --only bencode,krpc --seconds 30 --seed 7
import { parseArgs } from 'node:util';
import { saveReproducer, type FuzzResult } from './harness.js';
import { FUZZ_TARGETS } from './targets.js';
import { fuzzWatched } from './watchdog.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: process.env.FUZZ_COUNT ?? '10000' },
    seconds: { type: 'string', default: process.env.FUZZ_SECONDS ?? '0' },
    only: { type: 'string', default: process.env.FUZZ_ONLY },
    seed: { type: 'string', default: process.env.FUZZ_SEED ?? '1' },
    'per-input-ms': { type: 'string', default: '1000' },
    'hang-ms': { type: 'string', default: '10000' },
    'no-save': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function number(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`fuzz: --${name}: "${text}" is not a number\n`);
    process.exit(2);
  }
  return n;
}

if (values.help) {
  process.stdout.write('usage: npm run fuzz -- [--count N] [--seconds S] [--only NAME,...] [--seed S] [--per-input-ms MS] [--hang-ms MS] [--no-save] [--list]\n');
  process.exit(0);
}
if (values.list) {
  for (const t of FUZZ_TARGETS) process.stdout.write(`${t.name.padEnd(22)} ${t.about}\n`);
  process.exit(0);
}
const only = values.only?.split(',').filter(Boolean);
const unknown = only?.filter((n) => !FUZZ_TARGETS.some((t) => t.name === n)) ?? [];
if (unknown.length) {
  process.stderr.write(`fuzz: no decoder named ${unknown.join(', ')} (--list shows them)\n`);
  process.exit(2);
}
const budget = { count: number('count', values.count), seconds: number('seconds', values.seconds), seed: number('seed', values.seed), perInputMs: number('per-input-ms', values['per-input-ms']) };
const hangMs = number('hang-ms', values['hang-ms']);
const targets = FUZZ_TARGETS.filter((t) => !only || only.includes(t.name));
process.stdout.write(`fuzz: ${targets.length} decoders, ${budget.count} inputs${budget.seconds ? ` or ${budget.seconds} s` : ''} each, seed ${budget.seed}\n`);

const results: FuzzResult[] = [];
for (const target of targets) {
  let lastLine = performance.now();
  const started = lastLine;
  // On a worker thread, so that a decoder that never returns is stopped after --hang-ms and its input saved.
  const result = await fuzzWatched({ targets: new URL('./targets.js', import.meta.url).href, name: target.name, budget }, hangMs, (done) => {
    if (performance.now() - lastLine < 2000) return;
    lastLine = performance.now();
    process.stdout.write(`  ${target.name}: ${done} inputs, ${((lastLine - started) / 1000).toFixed(1)} s\n`);
  });
  results.push(result);
  process.stdout.write(`${target.name}: ${result.inputs} inputs in ${(result.ms / 1000).toFixed(1)} s, ${result.failures.length} failures\n`);
  for (const f of result.failures) {
    const where = values['no-save'] ? '(not saved)' : await saveReproducer(target.name, f);
    process.stdout.write(`  FAIL ${f.message.split('\n')[0]}\n    ${where}\n`);
  }
}

const rows = results.map((r) => [r.name, String(r.inputs), String(r.accepted), String(r.rejected), String(r.failures.length), (r.ms / 1000).toFixed(1), Math.round(r.inputs / Math.max(r.ms / 1000, 0.001)).toString()]);
const head = ['decoder', 'inputs', 'accepted', 'typed errors', 'failures', 'seconds', 'inputs/s'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
process.stdout.write(`\n${line(head)}\n${rows.map(line).join('\n')}\n`);
const failed = results.reduce((n, r) => n + r.failures.length, 0);
process.stdout.write(failed ? `\n${failed} failures; reproducers are in test/fixtures/fuzz/\n` : '\nno failures\n');
process.exitCode = failed ? 1 : 0;
