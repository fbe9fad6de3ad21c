// Two network namespaces joined by a veth pair, for the BEP 14 tests: multicast between them never leaves the
// machine. Needs root (ip netns); fails with a clear message where namespaces cannot be created.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { requireProgram } from '../helpers/programs.js';

export interface Namespaces {
  a: string;
  b: string;
  /** The veth ends inside a and b. */
  va: string;
  vb: string;
  /** a's and b's IPv4 addresses on the pair (10.214.0.1, 10.214.0.2); IPv6 fd14::1, fd14::2. */
  a4: string;
  b4: string;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()} (this test needs root and network namespaces)`);
}

/** Two namespaces with a veth pair between them, deleted when the test ends whatever happens. */
export function makeNamespaces(t: { after: (fn: () => void) => void }): Namespaces {
  requireProgram('ip', 'iproute2');
  const tag = randomBytes(3).toString('hex');
  const a = `tdlsdA-${tag}`;
  const b = `tdlsdB-${tag}`;
  const va = `tdla${tag}`;
  const vb = `tdlb${tag}`;
  t.after(() => {
    spawnSync('ip', ['netns', 'del', a]);
    spawnSync('ip', ['netns', 'del', b]);
  });
  ip(['netns', 'add', a]);
  ip(['netns', 'add', b]);
  ip(['link', 'add', va, 'type', 'veth', 'peer', 'name', vb]);
  ip(['link', 'set', va, 'netns', a]);
  ip(['link', 'set', vb, 'netns', b]);
  for (const [ns, dev, v4, v6] of [[a, va, '10.214.0.1/24', 'fd14::1/64'], [b, vb, '10.214.0.2/24', 'fd14::2/64']] as const) {
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'addr', 'add', v4, 'dev', dev]);
    ip(['-n', ns, '-6', 'addr', 'add', v6, 'dev', dev, 'nodad']);
    ip(['-n', ns, 'link', 'set', dev, 'up']);
  }
  return { a, b, va, vb, a4: '10.214.0.1', b4: '10.214.0.2' };
}
