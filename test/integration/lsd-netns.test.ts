// BEP 14 between two network namespaces joined by a veth pair: a listener in one hears the announces of the
// other. Needs root (ip netns); fails with a clear message where namespaces cannot be created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startProcess, waitForLine } from '../helpers/processes.js';
import { makeNamespaces } from './lsd-namespaces.js';

const AGENT = fileURLToPath(new URL('./lsd-agent.js', import.meta.url));

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
