/**
 * The transitioner: one work unit and its instances in, the changes to make out. Pure and synchronous, time passed
 * in (DESIGN.md §2 layer 4), so a test drives it step by step. The rules follow BOINC's `sched/transitioner.cpp`
 * in spirit: a missed deadline is a NO_REPLY, copies are added while the limits allow, limits fail the work unit,
 * and once a canonical result exists or the work unit failed, copies not yet sent are no longer needed.
 */
import { isError, isLiveSuccess, type Instance, type WorkUnit, type WorkUnitError } from './model.js';

export interface InstanceChange {
  id: number;
  serverState: Instance['serverState'];
  outcome: Instance['outcome'];
}

export interface Transition {
  /** Instances whose state changes. */
  changed: InstanceChange[];
  /** New copies to create (UNSENT). */
  create: number;
  /** Set when the work unit fails now. */
  fail: WorkUnitError | null;
  /** True when enough successes wait to be judged. */
  needsValidation: boolean;
}

export function transition(wu: WorkUnit, instances: readonly Instance[], nowMs: number): Transition {
  const changed: InstanceChange[] = [];
  const view = instances.map((i) => ({ ...i }));
  for (const i of view) {
    if (i.serverState === 'in_progress' && i.deadlineMs !== null && nowMs > i.deadlineMs) {
      i.serverState = 'over';
      i.outcome = 'no_reply';
      changed.push({ id: i.id, serverState: 'over', outcome: 'no_reply' });
    }
  }
  const fail = wu.state === 'active' ? limitReached(wu, view) : null;
  const finished = wu.state !== 'active' || fail !== null || wu.canonicalInstanceId !== null;
  if (finished) {
    // Copies nobody has yet are not needed any more; copies out may still come back and are judged late.
    for (const i of view) {
      if (i.serverState === 'unsent') changed.push({ id: i.id, serverState: 'over', outcome: 'didnt_need' });
    }
    return { changed, create: 0, fail, needsValidation: false };
  }
  return { changed, create: copiesToCreate(wu, view), fail: null, needsValidation: needsValidation(wu, view) };
}

function limitReached(wu: WorkUnit, instances: readonly Instance[]): WorkUnitError | null {
  if (wu.canonicalInstanceId !== null) return null;
  const errors = instances.filter(isError).length;
  const successes = instances.filter((i) => i.outcome === 'success').length;
  if (errors > wu.maxErrorResults) return 'too_many_errors';
  if (successes > wu.maxSuccessResults) return 'too_many_success';
  // Every copy allowed has been made and came back, and still no canonical result: nothing more can be tried.
  const open = instances.filter((i) => i.serverState !== 'over').length;
  const pending = instances.filter((i) => i.outcome === 'success' && i.validateState === 'init').length;
  if (instances.length >= wu.maxTotalResults && open === 0 && pending === 0) return 'too_many_total';
  return null;
}

/** BOINC's rule: bring unsent + in progress + live successes up to the target, within `maxTotalResults`. */
function copiesToCreate(wu: WorkUnit, instances: readonly Instance[]): number {
  const working = instances.filter((i) => i.serverState === 'unsent' || i.serverState === 'in_progress' || isLiveSuccess(i)).length;
  const wanted = Math.max(0, wu.targetNResults - working);
  return Math.min(wanted, Math.max(0, wu.maxTotalResults - instances.length));
}

function needsValidation(wu: WorkUnit, instances: readonly Instance[]): boolean {
  const candidates = instances.filter((i) => i.outcome === 'success' && (i.validateState === 'init' || i.validateState === 'inconclusive'));
  return candidates.some((i) => i.validateState === 'init') && candidates.length >= wu.minQuorum;
}
