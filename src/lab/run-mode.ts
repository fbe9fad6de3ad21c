import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { uniformBounds } from './bounds.js';
import { clientsBusyFrom, serverBusyFrom } from './busy-from.js';
import { CounterSampler, readCounters } from './counters.js';
import { LabError } from './errors.js';
import { childCpuSeconds, LabProcess, PROBE_BIN, TANDEM_BIN } from './processes.js';
import { PEER_PORT, startTracker, tandem, type RunContext } from './run-context.js';
import { startReference } from './reference-run.js';
import { isReferenceMode } from './reference-peers.js';
import { summariseTraces, type TraceSummary } from './trace-analysis.js';
import { utilisation, type RunRecord, type UploadSeries } from './types.js';
import type { Mode } from './units.js';

const HTTP_PORT = 8080;
const QUIET_PEER = ['--no-dht', '--no-lsd', '--port', String(PEER_PORT), '--json'];

export type { RunContext };

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** The environment that makes a host's tandem process write its piece timeline (empty when not tracing). */
type TraceEnv = (host: string) => NodeJS.ProcessEnv;

/** Where one run's timelines go, and the environment for each host; undefined folder when not tracing. */
async function traceRun(ctx: RunContext, mode: Mode, n: number, rep: number): Promise<{ dir?: string; env: TraceEnv }> {
  if (!ctx.traceDir || isReferenceMode(mode) || mode === 'cs') return { env: () => ({}) };
  const dir = join(ctx.traceDir, `${mode}-N${String(n).padStart(2, '0')}-r${rep}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return { dir, env: (host) => ({ TANDEM_PIECE_TRACE: join(dir, `${host}.trace`) }) };
}

/** The summary of a traced run's timelines (the processes have exited, so every file is complete). */
async function readTraces(dir: string, ctx: RunContext, clients: { name: string; ip: string }[], launchMs: number): Promise<TraceSummary> {
  const names = ['server', ...clients.map((c) => c.name)];
  const hosts = await Promise.all(names.map(async (name) => ({ name, lines: (await readFile(join(dir, `${name}.trace`), 'utf8').catch(() => '')).split('\n') })));
  const byAddress = new Map([[ctx.net.server.ip, 'server'], ...clients.map((c) => [c.ip, c.name] as [string, string])]);
  // Traces name peers as the swarm does, IPv4-mapped addresses already folded to IPv4 (swarm/address.ts).
  return summariseTraces(hosts, (a) => byAddress.get(a), launchMs);
}

/** Starts the serving side of a mode and resolves once it is ready; returns the clients' command lines. */
async function startServer(ctx: RunContext, mode: Mode, traced: TraceEnv): Promise<(dir: string) => string[]> {
  if (isReferenceMode(mode)) return startReference(ctx, mode);
  const args = await startTandemServer(ctx, mode, traced('server'));
  return (dir) => [process.execPath, TANDEM_BIN, ...args(dir)];
}

/** The serving side of tandem's own modes; returns the clients' `tandem` arguments. */
async function startTandemServer(ctx: RunContext, mode: Mode, env: NodeJS.ProcessEnv): Promise<(dir: string) => string[]> {
  const s = ctx.net.server;
  const serverDir = join(ctx.work, 'server');
  const url = `http://${s.ip}:${HTTP_PORT}/${ctx.fileName}`;
  const wait = 30_000;
  if (mode === 'cs') {
    const p = tandem(ctx, 'serve', s.ns, ['serve', serverDir, '--http', `${s.ip}:${HTTP_PORT}`, '--json']);
    await p.waitFor(/"listening"/, wait, ctx.signal);
    return (dir) => ['get', url, '-o', dir, '--no-swarm', '--json'];
  }
  if (mode === 'hybrid') {
    const args = ['serve', serverDir, '--http', `${s.ip}:${HTTP_PORT}`, '--seed', '--seed-port', String(PEER_PORT), '--seed-cache', join(ctx.work, 'seed-cache'), '--json'];
    const p = tandem(ctx, 'serve --seed', s.ns, args, env);
    await p.waitFor(/"listening"/, wait, ctx.signal);
    // The torrent is made on the file's first request: ask for it now, so no client waits for the hashing.
    const warm = ctx.procs.start('warm', s.ns, [PROBE_BIN, 'warm', url]);
    await warm.waitFor(/^ready$/, wait, ctx.signal);
    return (dir) => ['get', url, '-o', dir, '--seed', ...QUIET_PEER];
  }
  const announce = await startTracker(ctx);
  const torrent = join(ctx.work, 'lab.torrent');
  const args = ['share', join(serverDir, ctx.fileName), '-t', announce, '--piece-length', String(ctx.params.pieceLengthBytes), '--torrent-out', torrent, ...QUIET_PEER];
  const seed = tandem(ctx, 'share', s.ns, args, env);
  await seed.waitFor(/"seeding"/, wait, ctx.signal);
  return (dir) => ['get', torrent, '-o', dir, '--seed', ...QUIET_PEER];
}

/**
 * Resolves with the seconds from `t0Ms` to the client's `done` record (aria2's hook prints one too, at completion,
 * not at its exit some 2 s later), and to its `ready` record (NaN if none came first); rejects if it exits first.
 */
function finishOf(p: LabProcess, t0Ms: number): Promise<{ done: number; ready: number }> {
  return new Promise((resolve, reject) => {
    let ready = NaN;
    const off = p.onLine((line) => {
      if (Number.isNaN(ready) && line.startsWith('{"event":"ready"')) ready = (performance.now() - t0Ms) / 1000;
      if (!line.startsWith('{"event":"done"')) return;
      off();
      resolve({ done: (performance.now() - t0Ms) / 1000, ready });
    });
    void p.exited.then((code) => {
      off();
      reject(new LabError('LAB_RUN', `${p.label} exited (${code}) before it was done${p.stderr ? `: ${p.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LabError('LAB_RUN', `${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    const onAbort = (): void => reject(new LabError('LAB_ABORTED', 'interrupted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/** The upload series of the run's hosts: cumulative bytes since the baseline, at each sample after launch. */
function toSeries(sampler: CounterSampler, hosts: { name: string; port: string }[], base: Map<string, { rx: number }>, t0Ms: number, endS: number): UploadSeries {
  const samples = sampler.samples.filter((s) => s.tMs >= t0Ms && (s.tMs - t0Ms) / 1000 <= endS + 1);
  return {
    tSeconds: [0, ...samples.map((s) => (s.tMs - t0Ms) / 1000)],
    hosts: hosts.map((h) => ({ name: h.name, bytes: [0, ...samples.map((s) => (s.counters.get(h.port)?.rx ?? 0) - (base.get(h.port)?.rx ?? 0))] })),
  };
}

/** One run: the mode with N clients, from launch to the last copy verified, every process stopped at the end. */
export async function runMode(ctx: RunContext, mode: Mode, n: number, rep: number): Promise<RunRecord> {
  const { params, net } = ctx;
  const clients = net.clients.slice(0, n);
  for (const c of clients) {
    await rm(join(ctx.work, c.name), { recursive: true, force: true });
    await mkdir(join(ctx.work, c.name), { recursive: true });
  }
  const bounds = uniformBounds(params.sizeBytes, n, params.serverUpBps, params.clientUpBps, params.clientDownBps);
  const bound = mode === 'cs' ? bounds.cs : bounds.p2p;
  const cpu0 = childCpuSeconds();
  const sampler = new CounterSampler(net.bridgeNs, () => performance.now());
  const traced = await traceRun(ctx, mode, n, rep);
  try {
    const clientArgs = await startServer(ctx, mode, traced.env);
    sampler.start();
    const base = await readCounters(net.bridgeNs);
    const t0 = performance.now();
    const finishes = clients.map((c) => finishOf(ctx.procs.startProgram(`${mode} client (${c.name})`, c.ns, clientArgs(join(ctx.work, c.name)), traced.env(c.name)), t0));
    const limitMs = Math.max(60, bound * 10 + 30) * 1000;
    const finished = await withTimeout(Promise.all(finishes), limitMs, `${mode} with ${n} clients`, ctx.signal);
    const finishSeconds = finished.map((f) => f.done);
    const d = Math.max(...finishSeconds);
    const end = await readCounters(net.bridgeNs);
    await sampler.stop();
    await ctx.procs.stopAll();
    const cpuSeconds = childCpuSeconds() - cpu0;
    const trace = traced.dir ? await readTraces(traced.dir, ctx, clients, performance.timeOrigin + t0) : undefined;
    const up = (port: string): number => (end.get(port)?.rx ?? 0) - (base.get(port)?.rx ?? 0);
    const serverWireBytes = up(net.server.bridgePort);
    const clientWire = clients.reduce((a, c) => a + up(c.bridgePort), 0);
    // The bridge port facing a client transmits what the client downloads.
    const received = clients.reduce((a, c) => a + (end.get(c.bridgePort)?.tx ?? 0) - (base.get(c.bridgePort)?.tx ?? 0), 0);
    let sha256Ok = true;
    for (const c of clients) if ((await sha256File(join(ctx.work, c.name, ctx.fileName)).catch(() => '')) !== ctx.sha256) sha256Ok = false;
    const hosts = [{ name: 'server', port: net.server.bridgePort }, ...clients.map((c) => ({ name: c.name, port: c.bridgePort }))];
    const series = toSeries(sampler, hosts, base, t0, d);
    return {
      mode,
      clients: n,
      rep,
      dSeconds: d,
      boundSeconds: bound,
      ratio: d / bound,
      serverWireBytes,
      serverCopies: serverWireBytes / params.sizeBytes,
      clientCopies: received / (n * params.sizeBytes),
      serverUtil: utilisation(serverWireBytes, params.serverUpBps, d),
      clientUtil: utilisation(clientWire, params.clientUpBps * n, d),
      cpuSeconds,
      finishSeconds,
      sha256Ok,
      busyFromSeconds: clientsBusyFrom(series, params.clientUpBps),
      readySeconds: finished.map((f) => f.ready),
      serverBusyFromSeconds: serverBusyFrom(series, params.serverUpBps),
      series,
      ...(trace ? { trace } : {}),
    };
  } finally {
    await sampler.stop();
    await ctx.procs.stopAll();
    for (const c of clients) await rm(join(ctx.work, c.name), { recursive: true, force: true }).catch(() => undefined);
  }
}
