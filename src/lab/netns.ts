import { execFile, execFileSync } from 'node:child_process';
import { LabError } from './errors.js';
import { tcRate } from './units.js';

/**
 * The lab's hosts: a network namespace per host, each joined by a veth pair to one bridge that lives in a namespace
 * of its own, so nothing touches the machine's own interfaces. Every namespace is named `tlab-<pid>-...`, so a
 * later run (or the exit handler) finds what a run left behind.
 *
 *   server ns  eth0 10.77.0.1/16 ──veth── "s"  ┐
 *   client ns  eth0 10.77.1.1/16 ──veth── "c1" ├─ br0 in the bridge ns
 *   ...                                         ┘
 *
 * A host's upload is shaped on its own eth0 (HTB at the rate, a bfifo sized in ms of it); a client's download,
 * when asked, on the bridge's port towards it.
 */
export const LAB_PREFIX = 'tlab-';

export interface Host {
  /** `server`, `c1`, `c2`, ... */
  name: string;
  ns: string;
  ip: string;
  /** The veth end in the bridge namespace: its receive counter is the host's upload. */
  bridgePort: string;
}

export interface LabNet {
  prefix: string;
  bridgeNs: string;
  server: Host;
  clients: Host[];
}

export interface Shaping {
  serverUpBps: number;
  clientUpBps: number;
  clientDownBps: number;
  queueMs: number;
}

/** Runs `ip` or `tc`; a failure is a LabError with the command and its stderr. */
export function exec(cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new LabError('LAB_NETNS', `${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

export function clientIp(i: number): string {
  return `10.77.${1 + Math.floor((i - 1) / 250)}.${1 + ((i - 1) % 250)}`;
}

/** The queue a shaped link holds: `queueMs` of its rate, but at least two 64 KiB GSO segments (or none passes). */
export function queueBytes(bps: number, queueMs: number): number {
  return Math.max(Math.round((bps * queueMs) / 8000), 2 * 65_536);
}

async function shape(ns: string, dev: string, bps: number, queueMs: number): Promise<void> {
  await exec('tc', ['-n', ns, 'qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '1']);
  await exec('tc', ['-n', ns, 'class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', tcRate(bps), 'ceil', tcRate(bps), 'quantum', '1514']);
  await exec('tc', ['-n', ns, 'qdisc', 'add', 'dev', dev, 'parent', '1:1', 'handle', '10:', 'bfifo', 'limit', String(queueBytes(bps, queueMs))]);
}

async function addHost(net: LabNet, host: Host, cidrIp: string): Promise<void> {
  await exec('ip', ['netns', 'add', host.ns]);
  await exec('ip', ['-n', net.bridgeNs, 'link', 'add', host.bridgePort, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
  await exec('ip', ['-n', net.bridgeNs, 'link', 'set', host.bridgePort, 'master', 'br0', 'up']);
  await exec('ip', ['-n', host.ns, 'addr', 'add', cidrIp, 'dev', 'eth0']);
  await exec('ip', ['-n', host.ns, 'link', 'set', 'eth0', 'up']);
  await exec('ip', ['-n', host.ns, 'link', 'set', 'lo', 'up']);
}

/** Builds the bridge, the server and `clients` client hosts, shaped; on a failure removes what it made. */
export async function buildNet(prefix: string, clients: number, shaping: Shaping, signal?: AbortSignal): Promise<LabNet> {
  const net: LabNet = {
    prefix,
    bridgeNs: `${prefix}br`,
    server: { name: 'server', ns: `${prefix}s`, ip: '10.77.0.1', bridgePort: 's' },
    clients: Array.from({ length: clients }, (_, k) => ({ name: `c${k + 1}`, ns: `${prefix}c${k + 1}`, ip: clientIp(k + 1), bridgePort: `c${k + 1}` })),
  };
  try {
    await exec('ip', ['netns', 'add', net.bridgeNs]);
    await exec('ip', ['-n', net.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    await exec('ip', ['-n', net.bridgeNs, 'link', 'set', 'br0', 'up']);
    for (const host of [net.server, ...net.clients]) {
      signal?.throwIfAborted();
      await addHost(net, host, `${host.ip}/16`);
    }
    await shape(net.server.ns, 'eth0', shaping.serverUpBps, shaping.queueMs);
    for (const c of net.clients) {
      signal?.throwIfAborted();
      await shape(c.ns, 'eth0', shaping.clientUpBps, shaping.queueMs);
      if (Number.isFinite(shaping.clientDownBps)) await shape(net.bridgeNs, c.bridgePort, shaping.clientDownBps, shaping.queueMs);
    }
    return net;
  } catch (err) {
    destroySync(prefix);
    throw err;
  }
}

/** The lab namespaces that exist now, of one prefix (or of any lab). */
export function listNamespaces(prefix = LAB_PREFIX): string[] {
  let text = '';
  try {
    text = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(prefix));
}

/**
 * Kills every process inside the prefix's namespaces, then deletes them. Synchronous, so it also runs from an
 * `exit` handler; each step ignores what is already gone.
 */
export function destroySync(prefix: string): void {
  const names = listNamespaces(prefix);
  for (const ns of names) {
    try {
      const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 }).split(/\s+/).filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    } catch {
      // the namespace went away meanwhile
    }
  }
  for (const ns of names) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { timeout: 5000, stdio: 'ignore' });
    } catch {
      // already deleted
    }
  }
}

/** The prefix of this process's namespaces. */
export function prefixFor(pid = process.pid): string {
  return `${LAB_PREFIX}${pid}-`;
}

/** Removes the namespaces of lab processes that are no longer alive (a run killed with -9). Returns how many. */
export function removeStale(): number {
  const stale = new Set<string>();
  for (const ns of listNamespaces()) {
    const m = /^tlab-(\d+)-/.exec(ns);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || pid === process.pid) stale.add(`${LAB_PREFIX}${pid}-`);
  }
  for (const p of stale) destroySync(p);
  return stale.size;
}
