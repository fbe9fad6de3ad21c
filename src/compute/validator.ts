/**
 * The validator: picks a work unit's canonical result by majority and judges every successful instance against it.
 * Pure. By default two outputs agree when their SHA-256 digests are equal (bitwise validation, which the sandbox's
 * determinism makes possible); a tolerant comparison is passed in as `same`.
 *
 * Rule (the issue's, after BOINC's `sched/validate_util2.cpp`): among at least `minQuorum` successful candidates,
 * a group of at least floor(minQuorum / 2) + 1 equal results is the majority; its earliest member is canonical.
 * No majority: every candidate is inconclusive and the target grows by one, so one more copy can break the tie.
 */
import type { Instance, ValidateState, WorkUnit } from './model.js';

export interface Verdict {
  id: number;
  validateState: ValidateState;
  grantedCredit: number | null;
}

export interface Validation {
  verdicts: Verdict[];
  /** Set when a canonical result is chosen now. */
  canonicalInstanceId: number | null;
  /** Credit each valid instance gets (the lowest claim of the agreeing quorum). */
  canonicalCredit: number | null;
  /** No majority yet: one more copy is wanted. */
  raiseTarget: boolean;
}

export type SameOutput = (a: Instance, b: Instance) => boolean;

export const sameDigest: SameOutput = (a, b) => a.outputSha256 !== null && a.outputSha256 === b.outputSha256;

export function majorityOf(minQuorum: number): number {
  return Math.floor(minQuorum / 2) + 1;
}

export function validate(wu: WorkUnit, instances: readonly Instance[], same: SameOutput = sameDigest): Validation {
  const none: Validation = { verdicts: [], canonicalInstanceId: null, canonicalCredit: null, raiseTarget: false };
  if (wu.canonicalInstanceId !== null) return { ...none, verdicts: judgeLate(wu, instances, same) };
  if (wu.state !== 'active') return none;
  const candidates = instances
    .filter((i) => i.outcome === 'success' && (i.validateState === 'init' || i.validateState === 'inconclusive'))
    .sort(byArrival);
  if (candidates.length < wu.minQuorum || !candidates.some((i) => i.validateState === 'init')) return none;
  const group = largestAgreeingGroup(candidates, same);
  if (group.length < majorityOf(wu.minQuorum)) {
    const verdicts = candidates.map((i) => ({ id: i.id, validateState: 'inconclusive' as const, grantedCredit: null }));
    return { ...none, verdicts, raiseTarget: true };
  }
  const canonical = group[0]!;
  const credit = Math.min(...group.map((i) => i.claimedCredit ?? 0));
  const inGroup = new Set(group.map((i) => i.id));
  const verdicts = candidates.map((i) =>
    inGroup.has(i.id) ? { id: i.id, validateState: 'valid' as const, grantedCredit: credit } : { id: i.id, validateState: 'invalid' as const, grantedCredit: 0 },
  );
  return { verdicts, canonicalInstanceId: canonical.id, canonicalCredit: credit, raiseTarget: false };
}

/** A result that arrives after the canonical one is judged against it alone. */
function judgeLate(wu: WorkUnit, instances: readonly Instance[], same: SameOutput): Verdict[] {
  const canonical = instances.find((i) => i.id === wu.canonicalInstanceId);
  if (!canonical) return [];
  return instances
    .filter((i) => i.outcome === 'success' && (i.validateState === 'init' || i.validateState === 'inconclusive'))
    .map((i) =>
      same(i, canonical)
        ? { id: i.id, validateState: 'valid' as const, grantedCredit: wu.canonicalCredit ?? 0 }
        : { id: i.id, validateState: 'invalid' as const, grantedCredit: 0 },
    );
}

/** The largest set of mutually agreeing results; ties go to the group whose first member arrived first. */
function largestAgreeingGroup(sorted: readonly Instance[], same: SameOutput): Instance[] {
  const groups: Instance[][] = [];
  for (const i of sorted) {
    const group = groups.find((g) => same(g[0]!, i));
    if (group) group.push(i);
    else groups.push([i]);
  }
  let best: Instance[] = [];
  for (const g of groups) if (g.length > best.length) best = g;
  return best;
}

function byArrival(a: Instance, b: Instance): number {
  return (a.receivedAtMs ?? 0) - (b.receivedAtMs ?? 0) || a.id - b.id;
}
