import { autoPieceLength } from '../metainfo/index.js';
import { uniformBounds } from './bounds.js';
import { writeOutputs } from './experiment.js';
import { spread } from './report.js';
import { SEED_POLICIES, type SeedPolicyEra } from './sim-seed.js';
import { labStartup, simulate, type SimConfig } from './simulate.js';
import type { LabParams, RunRecord } from './types.js';
import type { Mode } from './units.js';

/** A seeded generator (a linear congruential one is enough for tie-breaking and neighbour choice). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * CPU-seconds of all a run's processes per MiB delivered, by mode: the medians of `docs/lab/measured-after/`
 * (cs 0.08-0.13, p2p 0.09-0.14, hybrid 0.13-0.23 over N = 1-16; hybrid's 16 KiB pieces cost twice as much).
 */
export const CPU_SECONDS_PER_MIB: Record<Mode, number> = { cs: 0.09, p2p: 0.1, hybrid: 0.19, libtorrent: 0, aria2: 0 };
/** The lab machine's cores. */
export const LAB_CORES = 2;

/** The simulation's settings for one run, as the lab's processes have them. */
export function simConfig(params: LabParams, mode: Mode, clients: number, seed: number, era: SeedPolicyEra = 'now'): SimConfig {
  return {
    mode,
    clients,
    fileBytes: params.sizeBytes,
    // serve --seed makes its torrents with the automatic piece length (16 KiB for 20 MiB); share takes --piece-length.
    pieceBytes: mode === 'hybrid' ? autoPieceLength(params.sizeBytes) : params.pieceLengthBytes,
    serverUpBps: params.serverUpBps,
    clientUpBps: params.clientUpBps,
    clientDownBps: params.clientDownBps,
    slots: 8,
    maxPeers: 50,
    seedPolicy: mode === 'hybrid' ? 'fewest-sent' : 'receiver-rarest',
    clientPolicy: 'random',
    startupS: (n, i) => labStartup(n) * (0.85 + (0.3 * i) / Math.max(1, n)),
    seedChoke: SEED_POLICIES[era],
    cpu: { secondsPerMiB: CPU_SECONDS_PER_MIB[mode], cores: LAB_CORES },
    random: seededRandom(seed),
  };
}

/** One line per mode and N that both have: the simulated median D against the measured one. */
export function agreement(simulated: RunRecord[], measured: RunRecord[]): { lines: string[]; table: string } {
  const lines: string[] = [];
  const rows = ['| mode | N | measured D (s) | simulated D (s) | simulated / measured |', '|---|---:|---:|---:|---:|'];
  const keys = [...new Set(measured.filter((r) => r.clients <= 16).map((r) => `${r.mode}/${r.clients}`))];
  let within = 0;
  let total = 0;
  for (const key of keys) {
    const [mode, n] = [key.split('/')[0], Number(key.split('/')[1])];
    const m = measured.filter((r) => r.mode === mode && r.clients === n).map((r) => r.dSeconds);
    const s = simulated.filter((r) => r.mode === mode && r.clients === n).map((r) => r.dSeconds);
    if (!m.length || !s.length) continue;
    const md = spread(m).median;
    const sd = spread(s).median;
    const ratio = sd / md;
    total++;
    if (Math.abs(ratio - 1) <= 0.1) within++;
    rows.push(`| ${mode} | ${n} | ${md.toFixed(2)} | ${sd.toFixed(2)} | ${ratio.toFixed(2)} |`);
  }
  lines.push(total ? `simulation against measurement: ${within} of ${total} (mode, N) cells within 10% of the measured median D` : 'simulation against measurement: no (mode, N) in common');
  return { lines, table: rows.join('\n') };
}

/** Every mode × N × repetition simulated, the outputs written, and the comparison with a measured run if given. */
export async function simulateLab(params: LabParams, init: { out: string; command: string; compare?: RunRecord[]; era?: SeedPolicyEra; onRun: (r: RunRecord) => void }): Promise<{ files: string[]; agreement: string[]; runs: RunRecord[] }> {
  const runs: RunRecord[] = [];
  for (let rep = 1; rep <= params.reps; rep++) {
    for (const n of params.clients) {
      const b = uniformBounds(params.sizeBytes, n, params.serverUpBps, params.clientUpBps, params.clientDownBps);
      for (const mode of params.modes) {
        const r = simulate(simConfig(params, mode, n, rep * 7919 + n, init.era));
        const bound = mode === 'cs' ? b.cs : b.p2p;
        const record: RunRecord = { mode, clients: n, rep, dSeconds: r.dSeconds, boundSeconds: bound, ratio: r.dSeconds / bound, serverWireBytes: Math.round(r.serverCopies * params.sizeBytes), serverCopies: r.serverCopies, clientCopies: 1, serverUtil: r.serverUtil, clientUtil: r.clientUtil, cpuSeconds: NaN, finishSeconds: r.finishSeconds, busyFromSeconds: [], readySeconds: [], serverBusyFromSeconds: NaN, sha256Ok: true };
        runs.push(record);
        init.onRun(record);
      }
    }
  }
  const sections: string[] = [
    [
      '## What is simulated',
      '',
      "cs: the server uplink shared equally by the clients downloading. p2p and hybrid: pieces, each host's uplink shared equally by up to 8 transfers at once; a free slot picks a random neighbour that lacks a piece it has (clients know up to 50 others, everyone knows the server) and sends the rarest such piece; the p2p seed behaves as a client, the hybrid server (a peer and a web seed) also answers two requests per client while some piece has never been sent, and sends the piece it has sent least. Clients keep seeding. A client starts 0.45 s + 0.13 s for each other client (up to 16: the lab machine's 2 cores) after launch. Rates are payload rates (× 1448/1514).",
      '',
      `The seed's choking (${init.era === 'before' ? "tandem's seed before December 2026" : "tandem's seed now"}): it uploads to at most ${SEED_POLICIES[init.era ?? 'now'].unchokeSlots} clients, a joining client takes a free slot at once, a finished one frees its slot ${SEED_POLICIES[init.era ?? 'now'].freeSlotAtOnce ? 'for the next waiting client at once' : 'until the next 10 s choke round'}; ${Number.isFinite(SEED_POLICIES[init.era ?? 'now'].allowedFastPeers) ? `the first ${SEED_POLICIES[init.era ?? 'now'].allowedFastPeers} clients` : 'every client'} of the lab's one /24 get the same BEP 6 allowed-fast set of 10 pieces and ask the seed for them first (repeats the seed sends besides its other uploads). CPU: all the run's processes need ${CPU_SECONDS_PER_MIB.p2p} (p2p), ${CPU_SECONDS_PER_MIB.hybrid} (hybrid) or ${CPU_SECONDS_PER_MIB.cs} (cs) CPU-seconds per MiB delivered on ${LAB_CORES} cores, so D is at least N × F × that / ${LAB_CORES}. Not modelled: TCP ramp-up and the queue, duplicate downloads in end game, the clients' own choking.`,
    ].join('\n'),
  ];
  let lines: string[] = [];
  if (init.compare) {
    const a = agreement(runs, init.compare);
    lines = a.lines;
    sections.push(['## Against the measured runs', '', ...a.lines, '', a.table].join('\n'));
  }
  const files = await writeOutputs(init.out, params, runs, [], ['simulated, not measured: see "What is simulated"'], init.command, sections, true);
  return { files, agreement: lines, runs };
}
