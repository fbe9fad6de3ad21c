/**
 * The scheduler protocol: what a volunteer POSTs to /scheduler and what it gets back, as JSON. The parser is the
 * only way a request enters the server: every field is checked for type and range, lists and strings are bounded,
 * and anything else is a COMPUTE_BAD_REQUEST (fuzzed in test/unit/compute-protocol.test.ts).
 */
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';

export interface FinishedReport {
  instance: string;
  /** `success`: the output was uploaded; `client_error`: the sandbox stopped it (`reason` says why). */
  status: 'success' | 'client_error';
  reason: string | null;
  outputSha256: string | null;
  outputBytes: number | null;
  cpuSeconds: number;
  elapsedSeconds: number;
}

export interface SchedulerRequest {
  hostId: number | null;
  authenticator: string | null;
  userName: string | null;
  cores: number;
  memoryBytes: number;
  /** GFLOPS the host measured for itself; the server clamps it. */
  gflops: number;
  wasmFeatures: string[];
  workSeconds: number;
  finished: FinishedReport[];
  inProgress: string[];
}

export interface AppVersion {
  name: string;
  version: number;
  wasmSha256: string;
  wasmBytes: number;
  /** The signed manifest, as the exact string the signature covers. */
  manifest: string;
  /** Ed25519 signature of `manifest`, base64. */
  signature: string;
}

export interface InputRef {
  name: string;
  sha256: string;
  bytes: number;
}

export interface WorkUnitSpec {
  name: string;
  app: string;
  appVersion: number;
  inputs: InputRef[];
  stdinName: string | null;
  /** 32 bytes, hex: the sandbox's clock and random numbers derive from it. */
  seed: string;
  cpuSeconds: number;
  memoryBytes: number;
  outputBytes: number;
}

export interface InstanceAssignment {
  name: string;
  workUnit: string;
  deadlineMs: number;
  /** Upload permit for this instance: maximum size, expiry and the server's signature over them. */
  permit: string;
}

export interface SchedulerReply {
  hostId: number;
  authenticator: string;
  requestDelayMs: number;
  acks: string[];
  aborts: string[];
  apps: AppVersion[];
  workUnits: WorkUnitSpec[];
  instances: InstanceAssignment[];
}

const bad = (what: string): ComputeError => new ComputeError('COMPUTE_BAD_REQUEST', `scheduler request: ${what}`, 'input');
type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} is not an object`);
  return v as Obj;
}
function num(v: unknown, what: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw bad(`${what} is not a${integer ? 'n integer' : ' number'} from ${min} to ${max}`);
  }
  return v;
}
function str(v: unknown, what: string, re: RegExp): string {
  if (typeof v !== 'string' || v.length > 256 || !re.test(v)) throw bad(`${what} is not valid`);
  return v;
}
function orNull<T>(v: unknown, parse: (v: unknown) => T): T | null {
  return v === null || v === undefined ? null : parse(v);
}
function list<T>(v: unknown, what: string, max: number, parse: (v: unknown, i: number) => T): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw bad(`${what} is not a list`);
  if (v.length > max) throw bad(`${what} has more than ${max} entries`);
  return v.map(parse);
}

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const AUTH_RE = /^[A-Za-z0-9_-]{16,128}$/;
const FEATURE_RE = /^[a-z0-9-]{1,32}$/;
const REASON_RE = /^[a-z_]{1,32}$/;

function parseFinished(v: unknown, i: number): FinishedReport {
  const o = obj(v, `finished[${i}]`);
  const status = o['status'];
  if (status !== 'success' && status !== 'client_error') throw bad(`finished[${i}].status is not success or client_error`);
  const report: FinishedReport = {
    instance: str(o['instance'], `finished[${i}].instance`, NAME_RE),
    status,
    reason: orNull(o['reason'], (x) => str(x, `finished[${i}].reason`, REASON_RE)),
    outputSha256: orNull(o['outputSha256'], (x) => str(x, `finished[${i}].outputSha256`, HEX64)),
    outputBytes: orNull(o['outputBytes'], (x) => num(x, `finished[${i}].outputBytes`, 0, COMPUTE_DEFAULTS.maxFileBytes, true)),
    cpuSeconds: num(o['cpuSeconds'], `finished[${i}].cpuSeconds`, 0, 1e9),
    elapsedSeconds: num(o['elapsedSeconds'], `finished[${i}].elapsedSeconds`, 0, 1e9),
  };
  if (status === 'success' && (report.outputSha256 === null || report.outputBytes === null)) throw bad(`finished[${i}] succeeded without outputSha256 and outputBytes`);
  return report;
}

export function parseSchedulerRequest(body: unknown): SchedulerRequest {
  const o = obj(body, 'the body');
  const max = COMPUTE_DEFAULTS.maxReportedInstances;
  const hostId = orNull(o['hostId'], (x) => num(x, 'hostId', 1, Number.MAX_SAFE_INTEGER, true));
  const authenticator = orNull(o['authenticator'], (x) => str(x, 'authenticator', AUTH_RE));
  if ((hostId === null) !== (authenticator === null)) throw bad('hostId and authenticator go together');
  return {
    hostId,
    authenticator,
    userName: orNull(o['userName'], (x) => str(x, 'userName', NAME_RE)),
    cores: num(o['cores'], 'cores', 1, 1024, true),
    memoryBytes: num(o['memoryBytes'], 'memoryBytes', 0, 2 ** 50, true),
    gflops: num(o['gflops'], 'gflops', 0, 1e6),
    wasmFeatures: list(o['wasmFeatures'], 'wasmFeatures', 32, (x, i) => str(x, `wasmFeatures[${i}]`, FEATURE_RE)),
    workSeconds: num(o['workSeconds'], 'workSeconds', 0, 1e7),
    finished: list(o['finished'], 'finished', max, parseFinished),
    inProgress: list(o['inProgress'], 'inProgress', max, (x, i) => str(x, `inProgress[${i}]`, NAME_RE)),
  };
}

/** The volunteer's side: a reply is as hostile as a request (a project server may be anyone). */
export function parseSchedulerReply(body: unknown): SchedulerReply {
  const o = obj(body, 'the reply');
  const names = (v: unknown, what: string): string[] => list(v, what, COMPUTE_DEFAULTS.maxReportedInstances, (x, i) => str(x, `${what}[${i}]`, NAME_RE));
  const input = (v: unknown, i: number): InputRef => {
    const x = obj(v, `input ${i}`);
    return { name: str(x['name'], 'input name', NAME_RE), sha256: str(x['sha256'], 'input sha256', HEX64), bytes: num(x['bytes'], 'input bytes', 0, COMPUTE_DEFAULTS.maxFileBytes, true) };
  };
  return {
    hostId: num(o['hostId'], 'hostId', 1, Number.MAX_SAFE_INTEGER, true),
    authenticator: str(o['authenticator'], 'authenticator', AUTH_RE),
    requestDelayMs: num(o['requestDelayMs'], 'requestDelayMs', 0, 86_400_000),
    acks: names(o['acks'], 'acks'),
    aborts: names(o['aborts'], 'aborts'),
    apps: list(o['apps'], 'apps', 64, (v) => {
      const a = obj(v, 'app');
      return {
        name: str(a['name'], 'app name', NAME_RE), version: num(a['version'], 'app version', 1, 2 ** 31, true),
        wasmSha256: str(a['wasmSha256'], 'wasmSha256', HEX64), wasmBytes: num(a['wasmBytes'], 'wasmBytes', 8, COMPUTE_DEFAULTS.maxFileBytes, true),
        manifest: typeof a['manifest'] === 'string' && a['manifest'].length < 4096 ? a['manifest'] : '',
        signature: str(a['signature'], 'signature', /^[A-Za-z0-9+/=]{1,200}$/),
      };
    }),
    workUnits: list(o['workUnits'], 'workUnits', COMPUTE_DEFAULTS.maxInstancesPerReply, (v) => {
      const w = obj(v, 'work unit');
      return {
        name: str(w['name'], 'work unit name', NAME_RE), app: str(w['app'], 'work unit app', NAME_RE),
        appVersion: num(w['appVersion'], 'appVersion', 1, 2 ** 31, true),
        inputs: list(w['inputs'], 'inputs', COMPUTE_DEFAULTS.maxInputsPerWorkUnit, input),
        stdinName: orNull(w['stdinName'], (x) => str(x, 'stdinName', NAME_RE)), seed: str(w['seed'], 'seed', HEX64),
        cpuSeconds: num(w['cpuSeconds'], 'cpuSeconds', 0.001, 1e7), memoryBytes: num(w['memoryBytes'], 'memoryBytes', 65536, COMPUTE_DEFAULTS.maxMemoryBytes, true),
        outputBytes: num(w['outputBytes'], 'outputBytes', 0, COMPUTE_DEFAULTS.maxFileBytes, true),
      };
    }),
    instances: list(o['instances'], 'instances', COMPUTE_DEFAULTS.maxInstancesPerReply, (v) => {
      const x = obj(v, 'instance');
      return {
        name: str(x['name'], 'instance name', NAME_RE), workUnit: str(x['workUnit'], 'instance work unit', NAME_RE),
        deadlineMs: num(x['deadlineMs'], 'deadlineMs', 0, 2 ** 53), permit: str(x['permit'], 'permit', /^[A-Za-z0-9._-]{1,200}$/),
      };
    }),
  };
}
