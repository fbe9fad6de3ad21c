// `tandem compute`: scheduler throughput with many synthetic volunteers on loopback (instances dispatched and
// reported per second, p50 and p99 of the scheduler call), the sandbox's overhead per work unit against the
// same module run in this process, and what the files server sends to give one large input to 8 volunteers with
// and without the swarm.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * What the project's files server sends to give one input of SWARM_MB to 8 volunteers, with `--swarm` (one
 * volunteer starting every 2 s, as arrivals spread out) against plain HTTP.
 */
async function swarmBytes(dir: string, wasmPath: string, swarm: boolean): Promise<number> {
  const { paths, store } = await openProject(join(dir, swarm ? 'swarm' : 'plain'), { create: true });
  await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
  await addApplication(paths, store, 'sum', wasmPath, paths.privateKey, Date.now());
  const input = Buffer.alloc(SWARM_MB * 1024 * 1024, 7);
  input[0] = 0;
  writeFileSync(join(dir, 'big'), input);
  await submitWorkUnit(paths, store, { name: 'w', app: 'sum', inputs: [join(dir, 'big')], bounds: { memoryBytes: 1 << 20 }, replication: { minQuorum: SWARM_VOLUNTEERS, targetNResults: SWARM_VOLUNTEERS } }, Date.now());
  const sha = store.workUnitByName('w')!.inputs[0]!.sha256;
  store.close();
  const server = new ComputeServer({ projectDir: paths.root, port: 0, filesPort: 0 });
  const { url, filesUrl } = await server.start();
  try {
    for (let n = 0; n < 600; n++) {
      const res = await fetch(new URL(`${sha}?torrent`, filesUrl));
      await res.body?.cancel();
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ac = new AbortController();
    const runs = [];
    for (let k = 0; k < SWARM_VOLUNTEERS; k++) {
      const v = new Volunteer({ projectUrl: url, stateDir: join(paths.root, `v${k}`), cores: 1, maxInstances: 1, ...(swarm ? { swarm: { listenHost: '127.0.0.1' } } : {}) });
      runs.push(v.run(ac.signal));
      await new Promise((r) => setTimeout(r, 2000));
    }
    await Promise.all(runs);
    const sent = server.filesSent()!;
    return sent.httpBodyBytes + sent.peerBytes;
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
      const plain = await swarmBytes(dir, wasm, false);
      const viaSwarm = await swarmBytes(dir, wasm, true);
      const mib = (n: number): string => (n / 1048576).toFixed(1);
      console.log(`files server, a ${SWARM_MB} MiB input to ${SWARM_VOLUNTEERS} volunteers (one every 2 s): plain HTTP ${mib(plain)} MiB sent, swarm ${mib(viaSwarm)} MiB (${(viaSwarm / plain).toFixed(2)}×)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
