/**
 * Runs the pure policies on one work unit against the store, inside the caller's transaction: the transitioner
 * (deadlines, new copies, limits), then the validator (canonical result, verdicts, credit), until nothing changes.
 * The server calls it after every report and from its sweep; it is idempotent, so a restart simply runs it again.
 */
import { addCredit } from './credit.js';
import { onFailure, onValid } from './quota.js';
import type { ComputeStore } from './store.js';
import { transition } from './transitioner.js';
import { sameDigest, validate, type SameOutput } from './validator.js';

/** Rounds of transition and validation per call: each round settles at least one step, and there are few. */
const MAX_ROUNDS = 4;

/**
 * `same` compares two outputs; without it, digests are compared, unless the application has its own comparator:
 * then validation waits for the sweep, which runs the comparator outside any transaction and passes its answers.
 */
export function settleWorkUnit(store: ComputeStore, workUnitId: number, nowMs: number, same?: SameOutput): void {
  const wu = store.workUnit(workUnitId);
  const deferred = same === undefined && wu !== undefined && store.app(wu.appId)?.comparatorSha256 != null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const moved = transitionOnce(store, workUnitId, nowMs);
    if (!moved && (deferred || !validateOnce(store, workUnitId, nowMs, same ?? sameDigest))) return;
  }
}

function transitionOnce(store: ComputeStore, workUnitId: number, nowMs: number): boolean {
  const wu = store.workUnit(workUnitId);
  if (!wu) return false;
  const t = transition(wu, store.instancesOf(workUnitId), nowMs);
  for (const c of t.changed) {
    store.updateInstance(c.id, { serverState: c.serverState, outcome: c.outcome });
    if (c.outcome === 'no_reply') penalise(store, store.instancesOf(workUnitId).find((i) => i.id === c.id)?.hostId ?? null);
  }
  if (t.fail) store.updateWorkUnit(wu.id, { state: 'failed', error: t.fail });
  if (t.create > 0) store.createInstances(wu, t.create);
  return t.changed.length > 0 || t.fail !== null || t.create > 0;
}

function validateOnce(store: ComputeStore, workUnitId: number, nowMs: number, same: SameOutput): boolean {
  const wu = store.workUnit(workUnitId);
  if (!wu) return false;
  const instances = store.instancesOf(workUnitId);
  const v = validate(wu, instances, same);
  const hostOf = new Map(instances.map((i) => [i.id, i.hostId]));
  for (const verdict of v.verdicts) {
    store.updateInstance(verdict.id, { validateState: verdict.validateState, grantedCredit: verdict.grantedCredit });
    const hostId = hostOf.get(verdict.id) ?? null;
    if (verdict.validateState === 'valid') reward(store, hostId, verdict.grantedCredit ?? 0, nowMs);
    if (verdict.validateState === 'invalid') penalise(store, hostId);
  }
  if (v.canonicalInstanceId !== null) store.updateWorkUnit(wu.id, { state: 'done', canonicalInstanceId: v.canonicalInstanceId, canonicalCredit: v.canonicalCredit });
  if (v.raiseTarget && wu.targetNResults < wu.maxTotalResults) store.updateWorkUnit(wu.id, { targetNResults: wu.targetNResults + 1 });
  // Verdicts that only restate "inconclusive" change nothing that would make another round useful.
  return v.canonicalInstanceId !== null || (v.raiseTarget && wu.targetNResults < wu.maxTotalResults) || v.verdicts.some((x) => x.validateState !== 'inconclusive');
}

function reward(store: ComputeStore, hostId: number | null, credit: number, nowMs: number): void {
  const host = hostId === null ? undefined : store.host(hostId);
  if (!host) return;
  host.credit = addCredit(host.credit, credit, nowMs);
  host.quota = onValid(host.quota, host.cores);
  store.saveHost(host);
  if (host.userName) store.saveUserCredit(host.userName, addCredit(store.userCredit(host.userName), credit, nowMs));
}

function penalise(store: ComputeStore, hostId: number | null): void {
  const host = hostId === null ? undefined : store.host(hostId);
  if (!host) return;
  host.quota = onFailure(host.quota);
  store.saveHost(host);
}
