/**
 * The work unit and instance model (BOINC's workunit and result, `db/boinc_db_types.h`, in tandem's words).
 * Plain data: the store reads and writes these rows, the pure policies decide on them.
 */

/** What one instance may use; the sandbox enforces each. */
export interface Bounds {
  cpuSeconds: number;
  memoryBytes: number;
  outputBytes: number;
}

/** Replication: how many copies, how many must agree, and when to give up. */
export interface Replication {
  minQuorum: number;
  targetNResults: number;
  maxErrorResults: number;
  maxTotalResults: number;
  maxSuccessResults: number;
  delayBoundMs: number;
}

export type WorkUnitState = 'active' | 'done' | 'failed';

/** Why a work unit failed. */
export type WorkUnitError = 'too_many_errors' | 'too_many_total' | 'too_many_success';

export interface WorkUnit extends Replication {
  id: number;
  name: string;
  appName: string;
  bounds: Bounds;
  state: WorkUnitState;
  error: WorkUnitError | null;
  canonicalInstanceId: number | null;
  /** Credit granted to each valid instance, fixed when the canonical result is chosen. */
  canonicalCredit: number | null;
  assimilated: boolean;
  createdAtMs: number;
}

/** BOINC's server_state, reduced to what tandem needs. */
export type ServerState = 'unsent' | 'in_progress' | 'over';

export type Outcome = 'success' | 'client_error' | 'no_reply' | 'validate_error' | 'didnt_need';

/** `init`: not judged yet; `inconclusive`: judged, no quorum yet; `too_late`: came after it stopped mattering. */
export type ValidateState = 'init' | 'valid' | 'invalid' | 'inconclusive';

export interface Instance {
  id: number;
  workUnitId: number;
  name: string;
  serverState: ServerState;
  outcome: Outcome | null;
  validateState: ValidateState;
  hostId: number | null;
  sentAtMs: number | null;
  deadlineMs: number | null;
  receivedAtMs: number | null;
  /** SHA-256 (hex) of the uploaded output, computed by the server from the bytes it received. */
  outputSha256: string | null;
  outputBytes: number | null;
  cpuSeconds: number | null;
  claimedCredit: number | null;
  grantedCredit: number | null;
}

/** Instances that count as errors against `maxErrorResults`. */
export function isError(i: Pick<Instance, 'outcome'>): boolean {
  return i.outcome === 'client_error' || i.outcome === 'no_reply' || i.outcome === 'validate_error';
}

/** A successful instance that has not been judged invalid: still a candidate for, or part of, the quorum. */
export function isLiveSuccess(i: Pick<Instance, 'outcome' | 'validateState'>): boolean {
  return i.outcome === 'success' && i.validateState !== 'invalid';
}
