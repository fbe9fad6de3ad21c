import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { exec } from './netns.js';

/** Transmit and receive byte counters of each interface, from the text of /proc/net/dev. */
export function parseNetDev(text: string): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    if (f.length < 16) continue;
    out.set(m[1]!, { rx: f[0]!, tx: f[8]! });
  }
  return out;
}

/** Reads the bridge namespace's counters once. */
export async function readCounters(bridgeNs: string): Promise<Map<string, { rx: number; tx: number }>> {
  return parseNetDev(await exec('ip', ['netns', 'exec', bridgeNs, 'cat', '/proc/net/dev']));
}

export interface Sample {
  tMs: number;
  counters: Map<string, { rx: number; tx: number }>;
}

/**
 * Samples the bridge's counters every `everyMs` with one long-lived shell in the bridge namespace (one process,
 * not one per sample: the machine has two cores), for at most `maxSamples` samples. A host's upload is what the
 * bridge port facing it receives.
 */
export class CounterSampler {
  readonly samples: Sample[] = [];
  private child?: ChildProcess;

  constructor(
    private readonly bridgeNs: string,
    private readonly clock: () => number,
    private readonly everyMs = 500,
    private readonly maxSamples = 20_000,
  ) {}

  start(): void {
    const script = `i=0; while [ $i -lt ${this.maxSamples} ]; do cat /proc/net/dev; echo @@; sleep ${this.everyMs / 1000}; i=$((i+1)); done`;
    const child = spawn('ip', ['netns', 'exec', this.bridgeNs, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    let block: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line !== '@@') return void block.push(line);
      this.samples.push({ tMs: this.clock(), counters: parseNetDev(block.join('\n')) });
      block = [];
    });
    child.on('error', () => undefined);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
