// `tandem compute`: scheduler throughput with many synthetic volunteers on loopback (instances dispatched and
// reported per second, p50 and p99 of the scheduler call), the sandbox's overhead per work unit against the
// same module run in this process, and what the files server sends to give one large input to 8 volunteers with
// and without the swarm.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addApplication, ComputeServer, generateSigningKeys, openProject, submitWorkUnit, Volunteer, writeKeys } from '../../src/compute/index.js';
import { sandboxBench } from '../compute-sandbox.js';
import { schedulerBench } from '../compute-scheduler.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/compute/', import.meta.url));
/** BENCH_COMPUTE_PARTS=scheduler,sandbox,swarm picks parts of this suite (all by default). */
const PARTS = new Set((process.env.BENCH_COMPUTE_PARTS ?? 'scheduler,sandbox,swarm').split(','));

function compile(dir: string, name: string): string {
  const out = join(dir, `${name}.wasm`);
  const r = spawnSync('wat2wasm', [join(FIXTURES, `${name}.wat`), '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wat2wasm (Debian package wabt) failed or is missing: ${r.stderr ?? r.error}`);
  return out;
}

const SWARM_MB = Number(process.env.BENCH_COMPUTE_SWARM_MB ?? 50);
const SWARM_VOLUNTEERS = 8;
/** Time between two volunteers' starts: 0, all at once, is the hard case (BENCH_COMPUTE_STAGGER_MS=2000 spreads them). */
const STAGGER_MS = Number(process.env.BENCH_COMPUTE_STAGGER_MS ?? 0);
/** Upload slots of the files server's peer (BENCH_COMPUTE_SEED_SLOTS; the project's default when absent). */
const SEED_SLOTS = process.env.BENCH_COMPUTE_SEED_SLOTS ? Number(process.env.BENCH_COMPUTE_SEED_SLOTS) : undefined;

/** The module with a custom section of `bytes` appended (WebAssembly ignores it): an application that large. */
function padded(wasm: Buffer, bytes: number): Buffer {
  const leb = (n: number): Buffer => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      out.push(b);
    } while (n > 0);
    return Buffer.from(out);
  };
  const name = Buffer.from('pad');
  const body = Buffer.concat([leb(name.length), name, Buffer.alloc(bytes, 0x5a)]);
  return Buffer.concat([wasm, Buffer.from([0]), leb(body.length), body]);
}

/**
 * What the project's files server sends to give one input of SWARM_MB to 8 volunteers, with `--swarm` (one
 * volunteer starting every 2 s, as arrivals spread out) against plain HTTP.
 */
async function swarmBytes(dir: string, wasmPath: string, swarm: boolean): Promise<{ bytes: number; seconds: number }> {
  const { paths, store } = await openProject(join(dir, swarm ? 'swarm' : 'plain'), { create: true });
  await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
  writeFileSync(join(dir, 'big.wasm'), padded(readFileSync(wasmPath), SWARM_MB * 1024 * 1024));
  const app = await addApplication(paths, store, 'big', join(dir, 'big.wasm'), paths.privateKey, Date.now());
  writeFileSync(join(dir, 'in'), Buffer.from([1]));
  await submitWorkUnit(paths, store, { name: 'w', app: 'big', inputs: [join(dir, 'in')], bounds: { memoryBytes: 1 << 20 }, replication: { minQuorum: SWARM_VOLUNTEERS, targetNResults: SWARM_VOLUNTEERS } }, Date.now());
  store.close();
  const server = new ComputeServer({ projectDir: paths.root, port: 0, filesPort: 0, filesSeedUploadSlots: SEED_SLOTS });
  const { url, filesUrl } = await server.start();
  try {
    for (let n = 0; n < 600; n++) {
      const res = await fetch(new URL(`${app.wasmSha256}?torrent`, filesUrl));
      await res.body?.cancel();
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const started = performance.now();
    const ac = new AbortController();
    const runs = [];
    for (let k = 0; k < SWARM_VOLUNTEERS; k++) {
      const v = new Volunteer({ projectUrl: url, stateDir: join(paths.root, `v${k}`), cores: 1, maxInstances: 1, ...(swarm ? { swarm: { listenHost: '127.0.0.1' } } : {}) });
      runs.push(v.run(ac.signal));
      await new Promise((r) => setTimeout(r, STAGGER_MS));
    }
    await Promise.all(runs);
    const sent = server.filesSent()!;
    return { bytes: sent.httpBodyBytes + sent.peerBytes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.stop();
  }
}

export default {
  async run(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-compute-'));
    try {
      const wasm = compile(dir, 'checksum');
      if (PARTS.has('scheduler')) await schedulerBench(dir, wasm);
      if (PARTS.has('sandbox')) await sandboxBench(compile(dir, 'steps'));
      if (!PARTS.has('swarm')) return;
      const plain = process.env.BENCH_COMPUTE_SKIP_PLAIN ? undefined : await swarmBytes(dir, wasm, false);
      const viaSwarm = await swarmBytes(dir, wasm, true);
      const copies = (r: { bytes: number; seconds: number }): string => `${(r.bytes / (SWARM_MB * 1048576)).toFixed(2)} copies (${(r.bytes / 1048576).toFixed(1)} MiB) in ${r.seconds.toFixed(1)} s`;
      console.log(`files server, a ${SWARM_MB} MiB application to ${SWARM_VOLUNTEERS} volunteers (${STAGGER_MS ? `one every ${STAGGER_MS} ms` : 'all started at once'}): plain HTTP ${plain ? copies(plain) : 'not run'}, swarm ${copies(viaSwarm)}${plain ? ` (${(viaSwarm.bytes / plain.bytes).toFixed(2)}×)` : ''}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
