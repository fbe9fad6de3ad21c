// BEP 14 between two network namespaces joined by a veth pair: a listener in one hears the announces of the
// other. Needs root (ip netns); fails with a clear message where namespaces cannot be created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { requireProgram } from '../helpers/programs.js';
import { startProcess, waitForLine } from '../helpers/processes.js';

const AGENT = fileURLToPath(new URL('./lsd-agent.js', import.meta.url));

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()} (this test needs root and network namespaces)`);
}

/** Two namespaces with a veth pair between them, deleted when the test ends whatever happens. */
function makeNamespaces(t: { after: (fn: () => void) => void }): { a: string; b: string; va: string; vb: string } {
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
  return { a, b, va, vb };
}

function agent(t: Parameters<typeof startProcess>[0], ns: string, args: string[]) {
  return startProcess(t, 'ip', ['netns', 'exec', ns, process.execPath, AGENT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

test('BEP 14 over IPv4 multicast: a listener in one namespace hears an announce from the other', { timeout: 30_000 }, async (t) => {
  const { a, b } = makeNamespaces(t);
  const ih = randomBytes(20).toString('hex');
  const listener = agent(t, a, ['listen', '4', '10.214.0.1']);
  await waitForLine(listener, /^ready/);
  const announcer = agent(t, b, ['announce', '4', '10.214.0.2', '51413', ih]);
  const m = await waitForLine(listener, /^peer (\S+) (\S+) (\d+)/, 10_000);
  assert.deepEqual(m.slice(1), [ih, '10.214.0.2', '51413']);
  announcer.stdin!.end();
  listener.stdin!.end();
});

test('BEP 14 over IPv6 multicast (ff15::efc0:988f) between the same namespaces', { timeout: 30_000 }, async (t) => {
  const { a, b, va, vb } = makeNamespaces(t);
  const ih = randomBytes(20).toString('hex');
  const listener = agent(t, a, ['listen', '6', `::%${va}`]);
  await waitForLine(listener, /^ready/);
  const announcer = agent(t, b, ['announce', '6', `::%${vb}`, '6881', ih]);
  const m = await waitForLine(listener, /^peer (\S+) (\S+) (\d+)/, 10_000);
  assert.equal(m[1], ih);
  assert.match(m[2]!, /^(fd14::2|fe80::.*)$/);
  assert.equal(m[3], '6881');
  announcer.stdin!.end();
  listener.stdin!.end();
});
