/**
 * The scheduler: one volunteer request in, one reply out, all of its state changes in one transaction. It
 * authenticates (or enrols) the host, takes its finished instances (checking the uploaded bytes itself: the
 * reported hash is only a claim), settles the work units they belong to, aborts what is no longer needed, resends
 * instances the host lost, and hands out new instances within the host's quota, cores and memory.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { claimedCredit, clampGflops } from './credit.js';
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';
import type { Instance } from './model.js';
import type { AppVersion, FinishedReport, InstanceAssignment, SchedulerReply, SchedulerRequest, WorkUnitSpec } from './protocol.js';
import { initialQuota, onFailure, recordSent, remainingToday } from './quota.js';
import { issuePermit } from './signing.js';
import type { ComputeStore, HostRow, WorkUnitRow } from './store.js';
import { hashFile, type Uploaded, type UploadDigests } from './uploads.js';
import { settleWorkUnit } from './workflow.js';

export interface SchedulerContext {
  store: ComputeStore;
  uploadsDir: string;
  permitSecret: Buffer;
  /** Digests of uploads received whole (the server's); without it every upload is read to be hashed. */
  digests?: UploadDigests;
}

/** Uploads hashed at once for one request. */
const HASH_BATCH = 16;

export async function handleScheduler(ctx: SchedulerContext, req: SchedulerRequest, nowMs: number): Promise<SchedulerReply> {
  // Authenticated before any upload is read, so a forged request costs the server no file I/O.
  if (req.hostId !== null) checkAuthenticator(ctx.store.host(req.hostId), req.authenticator);
  const mine = req.finished.filter((f) => f.status === 'success' && req.hostId !== null && ctx.store.instanceByName(f.instance)?.hostId === req.hostId);
  // Only this host's own instances are read: a request cannot make the server hash other hosts' uploads. A few at
  // a time, so a request listing many opens few files at once.
  const measured = new Map<string, Uploaded>();
  for (let k = 0; k < mine.length; k += HASH_BATCH) {
    await Promise.all(mine.slice(k, k + HASH_BATCH).map(async (f) => {
      const path = join(ctx.uploadsDir, f.instance);
      measured.set(f.instance, await (ctx.digests ? ctx.digests.of(f.instance, path) : hashFile(path)));
    }));
  }
  const result = ctx.store.tx(() => {
    const reporter = authenticate(ctx.store, req, nowMs);
    const acks: string[] = [];
    const touched = new Set<number>();
    for (const f of req.finished) {
      acks.push(f.instance);
      const wuId = takeReport(ctx.store, reporter, f, measured.get(f.instance) ?? null, nowMs);
      if (wuId !== null) touched.add(wuId);
    }
    ctx.store.saveHost(reporter);
    for (const id of touched) settleWorkUnit(ctx.store, id, nowMs);
    // Settling may have credited or penalised this very host: read it again rather than write an old copy back.
    const host = ctx.store.host(reporter.id)!;
    const reply = emptyReply(host, acks);
    reconcile(ctx, host, req, reply, nowMs);
    dispatch(ctx, host, req, reply, nowMs);
    ctx.store.saveHost(host);
    return reply;
  });
  for (const f of mine) ctx.digests?.forget(f.instance);
  return result;
}

function authenticate(store: ComputeStore, req: SchedulerRequest, nowMs: number): HostRow {
  const info = { userName: req.userName, cores: req.cores, memoryBytes: req.memoryBytes, gflops: clampGflops(req.gflops), lastSeenMs: nowMs };
  if (req.hostId === null) {
    const fresh = { ...info, authenticator: randomBytes(24).toString('base64url'), quota: initialQuota(req.cores, nowMs), credit: { total: 0, recentAverage: 0, updatedAtMs: nowMs } };
    return { ...fresh, id: store.insertHost(fresh) };
  }
  const host = checkAuthenticator(store.host(req.hostId), req.authenticator);
  return { ...host, ...info };
}

function checkAuthenticator(host: HostRow | undefined, authenticator: string | null): HostRow {
  const given = Buffer.from(authenticator ?? '');
  if (!host || given.length !== host.authenticator.length || !timingSafeEqual(given, Buffer.from(host.authenticator))) {
    throw new ComputeError('COMPUTE_AUTH', 'unknown host or wrong authenticator', 'input');
  }
  return host;
}

/** Records one finished instance; returns its work unit's id when something changed. */
function takeReport(store: ComputeStore, host: HostRow, f: FinishedReport, uploaded: Uploaded, nowMs: number): number | null {
  const inst = store.instanceByName(f.instance);
  // Another host's instance, or one already reported: acknowledged (so the volunteer forgets it), not believed.
  if (!inst || inst.hostId !== host.id) return null;
  const late = inst.serverState === 'over' && inst.outcome === 'no_reply';
  if (inst.serverState !== 'in_progress' && !late) return null;
  const wu = store.workUnit(inst.workUnitId)!;
  const base = { serverState: 'over' as const, receivedAtMs: nowMs, cpuSeconds: f.cpuSeconds, elapsedSeconds: f.elapsedSeconds, validateState: 'init' as const };
  const matches = uploaded !== null && uploaded.sha256 === f.outputSha256 && uploaded.bytes === f.outputBytes && uploaded.bytes <= wu.bounds.outputBytes;
  if (f.status === 'success' && matches) {
    const claim = claimedCredit(f.cpuSeconds, host.gflops, wu.bounds.cpuSeconds);
    store.updateInstance(inst.id, { ...base, outcome: 'success', outputSha256: uploaded.sha256, outputBytes: uploaded.bytes, claimedCredit: claim });
  } else {
    store.updateInstance(inst.id, { ...base, outcome: 'client_error', failureReason: f.status === 'success' ? 'upload_mismatch' : f.reason });
    host.quota = onFailure(host.quota);
  }
  return wu.id;
}

function emptyReply(host: HostRow, acks: string[]): SchedulerReply {
  return { hostId: host.id, authenticator: host.authenticator, requestDelayMs: COMPUTE_DEFAULTS.requestDelayMs, acks, aborts: [], apps: [], workUnits: [], instances: [] };
}

/** Aborts instances the host still runs that are no longer wanted; resends those it lost but may still finish. */
function reconcile(ctx: SchedulerContext, host: HostRow, req: SchedulerRequest, reply: SchedulerReply, nowMs: number): void {
  const store = ctx.store;
  for (const name of req.inProgress) {
    const inst = store.instanceByName(name);
    if (!inst || inst.hostId !== host.id) {
      reply.aborts.push(name);
      continue;
    }
    const wu = store.workUnit(inst.workUnitId)!;
    // A copy past its deadline may still come back and count while its work unit is open: it is not aborted.
    const lateButUseful = inst.outcome === 'no_reply' && wu.state === 'active';
    if ((inst.serverState === 'over' && !lateButUseful) || wu.state !== 'active') {
      reply.aborts.push(name);
      if (inst.serverState === 'in_progress') store.updateInstance(inst.id, { serverState: 'over', outcome: 'didnt_need' });
    }
  }
  const known = new Set([...req.inProgress, ...req.finished.map((f) => f.instance)]);
  const rows = store.q(`SELECT name FROM instances WHERE host_id = ? AND server_state = 'in_progress' AND deadline_ms >= ?`).all(host.id, nowMs) as { name: string }[];
  for (const { name } of rows) {
    if (!known.has(name)) assign(ctx, reply, store.instanceByName(name)!, nowMs);
  }
}

function dispatch(ctx: SchedulerContext, host: HostRow, req: SchedulerRequest, reply: SchedulerReply, nowMs: number): void {
  if (req.workSeconds <= 0) return;
  const store = ctx.store;
  const running = (store.q(`SELECT COUNT(*) AS n FROM instances WHERE host_id = ? AND server_state = 'in_progress'`).get(host.id) as { n: number }).n;
  // One instance per core in flight: a volunteer that hoards work only misses deadlines.
  let room = Math.min(host.cores - running, COMPUTE_DEFAULTS.maxInstancesPerReply - reply.instances.length, remainingToday(host.quota, nowMs));
  if (room <= 0) return;
  let seconds = req.workSeconds;
  // Oldest work unit first: a copy added after a disagreement or a missed deadline goes out before the first copies
  // of newer work, so work units finish in order instead of all waiting. The partial index gives unsent instances
  // in that order, so the scan stops at the limit.
  const candidates = store.q(`SELECT i.id, i.workunit_id AS wu FROM instances i INDEXED BY instances_unsent_by_wu JOIN workunits w ON w.id = i.workunit_id
    WHERE i.server_state = 'unsent' AND w.state = 'active' AND w.memory_bytes <= ?
      AND NOT EXISTS (SELECT 1 FROM instances j WHERE j.workunit_id = i.workunit_id AND j.host_id = ?)
    ORDER BY i.workunit_id, i.id LIMIT ?`).all(host.memoryBytes, host.id, room * 4) as { id: number; wu: number }[];
  const chosenWus = new Set<number>();
  for (const c of candidates) {
    if (room <= 0 || seconds <= 0) break;
    if (chosenWus.has(c.wu)) continue; // BOINC's one-result-per-user-per-WU: a host never checks itself
    chosenWus.add(c.wu);
    const wu = store.workUnit(c.wu)!;
    store.updateInstance(c.id, { serverState: 'in_progress', hostId: host.id, sentAtMs: nowMs, deadlineMs: nowMs + wu.delayBoundMs });
    assign(ctx, reply, store.instance(c.id)!, nowMs, wu);
    host.quota = recordSent(host.quota, 1, nowMs);
    room--;
    seconds -= wu.bounds.cpuSeconds;
  }
}

function assign(ctx: SchedulerContext, reply: SchedulerReply, inst: Instance, nowMs: number, wu = ctx.store.workUnit(inst.workUnitId)!): void {
  if (!reply.workUnits.some((w) => w.name === wu.name)) {
    const app = ctx.store.app(wu.appId)!;
    if (!reply.apps.some((a) => a.name === app.name && a.version === app.version)) reply.apps.push(appVersion(app));
    reply.workUnits.push(workUnitSpec(wu, app.version));
  }
  const deadlineMs = inst.deadlineMs ?? nowMs + wu.delayBoundMs;
  const permit = issuePermit(ctx.permitSecret, inst.name, wu.bounds.outputBytes, deadlineMs + COMPUTE_DEFAULTS.permitGraceMs);
  const assignment: InstanceAssignment = { name: inst.name, workUnit: wu.name, deadlineMs, permit };
  reply.instances.push(assignment);
}

function appVersion(a: { name: string; version: number; wasmSha256: string; wasmBytes: number; manifest: string; signature: string }): AppVersion {
  return { name: a.name, version: a.version, wasmSha256: a.wasmSha256, wasmBytes: a.wasmBytes, manifest: a.manifest, signature: a.signature };
}

function workUnitSpec(wu: WorkUnitRow, appVersionNumber: number): WorkUnitSpec {
  return {
    name: wu.name, app: wu.appName, appVersion: appVersionNumber, inputs: wu.inputs, stdinName: wu.stdinName, seed: wu.seed,
    cpuSeconds: wu.bounds.cpuSeconds, memoryBytes: wu.bounds.memoryBytes, outputBytes: wu.bounds.outputBytes,
  };
}
