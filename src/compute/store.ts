/**
 * The project's state in SQLite (WAL, synchronous NORMAL): applications, files, work units, instances, hosts and
 * users. Every change the scheduler makes runs in one transaction, so `kill -9` of the server leaves either all of
 * it or none. Rows map to the plain model types of model.ts; the policies never see SQL.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { ComputeError } from './errors.js';
import type { Instance, WorkUnit } from './model.js';
import type { InputRef } from './protocol.js';
import type { HostQuota } from './quota.js';
import type { CreditTotals } from './credit.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, wasm_sha256 TEXT NOT NULL,
  wasm_bytes INTEGER NOT NULL, manifest TEXT NOT NULL, signature TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
  comparator_sha256 TEXT, UNIQUE (name, version));
CREATE TABLE IF NOT EXISTS workunits (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, app_id INTEGER NOT NULL REFERENCES apps(id),
  inputs TEXT NOT NULL, stdin_name TEXT, seed TEXT NOT NULL, cpu_seconds REAL NOT NULL, memory_bytes INTEGER NOT NULL,
  output_bytes INTEGER NOT NULL, min_quorum INTEGER NOT NULL, target_nresults INTEGER NOT NULL, max_error_results INTEGER NOT NULL,
  max_total_results INTEGER NOT NULL, max_success_results INTEGER NOT NULL, delay_bound_ms INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'active', error TEXT, canonical_instance_id INTEGER, canonical_credit REAL,
  assimilated INTEGER NOT NULL DEFAULT 0, created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS instances (id INTEGER PRIMARY KEY, workunit_id INTEGER NOT NULL REFERENCES workunits(id), name TEXT NOT NULL UNIQUE,
  server_state TEXT NOT NULL DEFAULT 'unsent', outcome TEXT, validate_state TEXT NOT NULL DEFAULT 'init', host_id INTEGER,
  sent_at_ms INTEGER, deadline_ms INTEGER, received_at_ms INTEGER, output_sha256 TEXT, output_bytes INTEGER, cpu_seconds REAL,
  elapsed_seconds REAL, claimed_credit REAL, granted_credit REAL, failure_reason TEXT);
CREATE INDEX IF NOT EXISTS instances_wu ON instances (workunit_id, host_id);
CREATE INDEX IF NOT EXISTS instances_unsent_by_wu ON instances (workunit_id, id) WHERE server_state = 'unsent';
CREATE INDEX IF NOT EXISTS instances_state ON instances (server_state, deadline_ms);
CREATE INDEX IF NOT EXISTS instances_host ON instances (host_id, server_state);
CREATE TABLE IF NOT EXISTS workunit_inputs (sha256 TEXT NOT NULL, workunit_id INTEGER NOT NULL REFERENCES workunits(id),
  PRIMARY KEY (sha256, workunit_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hosts (id INTEGER PRIMARY KEY, authenticator TEXT NOT NULL, user_name TEXT, cores INTEGER NOT NULL,
  memory_bytes INTEGER NOT NULL, gflops REAL NOT NULL, created_at_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL,
  quota_per_day INTEGER NOT NULL, sent_today INTEGER NOT NULL, day_start_ms INTEGER NOT NULL,
  total_credit REAL NOT NULL DEFAULT 0, recent_credit REAL NOT NULL DEFAULT 0, credit_updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, total_credit REAL NOT NULL DEFAULT 0, recent_credit REAL NOT NULL DEFAULT 0,
  credit_updated_ms INTEGER NOT NULL);
`;

export interface AppRow {
  id: number;
  name: string;
  version: number;
  wasmSha256: string;
  wasmBytes: number;
  manifest: string;
  signature: string;
  /** The application's own comparator module (server side, never sent to volunteers), if it has one. */
  comparatorSha256: string | null;
}

/** A work unit with what the scheduler sends of it. */
export interface WorkUnitRow extends WorkUnit {
  appId: number;
  inputs: InputRef[];
  stdinName: string | null;
  seed: string;
}

export interface HostRow {
  id: number;
  authenticator: string;
  userName: string | null;
  cores: number;
  memoryBytes: number;
  gflops: number;
  lastSeenMs: number;
  quota: HostQuota;
  credit: CreditTotals;
}

type Row = Record<string, unknown>;

export class ComputeStore {
  readonly db: Database.Database;

  constructor(path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      // WAL with NORMAL: a committed transaction survives a killed server (the WAL is in the OS's hands at commit);
      // a power cut may lose the last ones, never corrupt the file. FULL would fsync every scheduler call.
      this.db.pragma('synchronous = NORMAL');
      // A checkpoint fsyncs, and it runs inside whichever commit crosses the threshold: at SQLite's 1,000 pages it
      // doubled the cost of a scheduler call on this machine's disk. 8,192 pages (32 MiB of WAL) make it rare.
      this.db.pragma('wal_autocheckpoint = 8192');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
      this.indexInputs();
    } catch (err) {
      throw new ComputeError('COMPUTE_PROJECT', `cannot open the project database ${path}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
  }

  close(): void {
    this.db.close();
  }

  /** A project made before the `workunit_inputs` table: its work units' inputs are indexed once. */
  private indexInputs(): void {
    const indexed = this.db.prepare('SELECT 1 FROM workunit_inputs LIMIT 1').get();
    const any = this.db.prepare('SELECT 1 FROM workunits LIMIT 1').get();
    if (indexed || !any) return;
    const insert = this.db.prepare('INSERT OR IGNORE INTO workunit_inputs (sha256, workunit_id) VALUES (?, ?)');
    this.tx(() => {
      for (const r of this.db.prepare('SELECT id, inputs FROM workunits').all() as { id: number; inputs: string }[]) {
        for (const input of JSON.parse(r.inputs) as InputRef[]) insert.run(input.sha256, r.id);
      }
    });
  }

  /** Whether a work unit not yet assimilated takes this file as an input (the assimilator keeps such files). */
  inputInUse(sha256: string): boolean {
    return this.q(`SELECT 1 FROM workunit_inputs i JOIN workunits w ON w.id = i.workunit_id WHERE i.sha256 = ? AND w.assimilated = 0 LIMIT 1`).get(sha256) !== undefined;
  }

  private readonly statements = new Map<string, Database.Statement>();
  private readonly apps = new Map<number, AppRow>();

  /** A prepared statement, kept: preparing costs more than running most of these queries. */
  q(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  tx<T>(body: () => T): T {
    return this.db.transaction(body).immediate();
  }

  /** The server's permit secret, made on first use. */
  permitSecret(): Buffer {
    const row = this.q(`SELECT value FROM meta WHERE key = 'permit_secret'`).get() as { value: string } | undefined;
    if (row) return Buffer.from(row.value, 'hex');
    const secret = randomBytes(32);
    this.q(`INSERT OR IGNORE INTO meta (key, value) VALUES ('permit_secret', ?)`).run(secret.toString('hex'));
    return this.permitSecret();
  }

  addApp(a: Omit<AppRow, 'id' | 'version'>, nowMs: number): AppRow {
    return this.tx(() => {
      const last = this.q('SELECT MAX(version) AS v FROM apps WHERE name = ?').get(a.name) as { v: number | null };
      const version = (last.v ?? 0) + 1;
      const info = this.q('INSERT INTO apps (name, version, wasm_sha256, wasm_bytes, manifest, signature, created_at_ms, comparator_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(a.name, version, a.wasmSha256, a.wasmBytes, a.manifest, a.signature, nowMs, a.comparatorSha256);
      return { ...a, id: Number(info.lastInsertRowid), version };
    });
  }

  latestApp(name: string): AppRow | undefined {
    const r = this.q('SELECT * FROM apps WHERE name = ? ORDER BY version DESC LIMIT 1').get(name) as Row | undefined;
    return r && appFrom(r);
  }

  /** An application version by id; rows are never changed once inserted, so each is read once and kept. */
  app(id: number): AppRow | undefined {
    const known = this.apps.get(id);
    if (known) return known;
    const r = this.q('SELECT * FROM apps WHERE id = ?').get(id) as Row | undefined;
    if (r) this.apps.set(id, appFrom(r));
    return this.apps.get(id);
  }

  insertWorkUnit(w: Omit<WorkUnitRow, 'id' | 'state' | 'error' | 'canonicalInstanceId' | 'canonicalCredit' | 'assimilated'>): number {
    const info = this.q(`INSERT INTO workunits (name, app_id, inputs, stdin_name, seed, cpu_seconds, memory_bytes, output_bytes,
      min_quorum, target_nresults, max_error_results, max_total_results, max_success_results, delay_bound_ms, created_at_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(w.name, w.appId, JSON.stringify(w.inputs), w.stdinName, w.seed,
      w.bounds.cpuSeconds, w.bounds.memoryBytes, w.bounds.outputBytes, w.minQuorum, w.targetNResults, w.maxErrorResults,
      w.maxTotalResults, w.maxSuccessResults, w.delayBoundMs, w.createdAtMs);
    const id = Number(info.lastInsertRowid);
    for (const input of w.inputs) this.q('INSERT OR IGNORE INTO workunit_inputs (sha256, workunit_id) VALUES (?, ?)').run(input.sha256, id);
    return id;
  }

  workUnit(id: number): WorkUnitRow | undefined {
    const r = this.q('SELECT w.*, a.name AS app_name FROM workunits w JOIN apps a ON a.id = w.app_id WHERE w.id = ?').get(id) as Row | undefined;
    return r && workUnitFrom(r);
  }

  workUnitByName(name: string): WorkUnitRow | undefined {
    const r = this.q('SELECT id FROM workunits WHERE name = ?').get(name) as { id: number } | undefined;
    return r && this.workUnit(r.id);
  }

  updateWorkUnit(id: number, patch: Partial<Pick<WorkUnit, 'state' | 'error' | 'canonicalInstanceId' | 'canonicalCredit' | 'targetNResults' | 'assimilated'>>): void {
    const cols: Record<string, string> = {
      state: 'state', error: 'error', canonicalInstanceId: 'canonical_instance_id', canonicalCredit: 'canonical_credit',
      targetNResults: 'target_nresults', assimilated: 'assimilated',
    };
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (keys.length === 0) return;
    const values = keys.map((k) => (typeof patch[k] === 'boolean' ? Number(patch[k]) : patch[k]));
    this.q(`UPDATE workunits SET ${keys.map((k) => `${cols[k]} = ?`).join(', ')} WHERE id = ?`).run(...values, id);
  }

  instancesOf(workUnitId: number): Instance[] {
    return (this.q('SELECT * FROM instances WHERE workunit_id = ? ORDER BY id').all(workUnitId) as Row[]).map(instanceFrom);
  }

  instance(id: number): Instance | undefined {
    const r = this.q('SELECT * FROM instances WHERE id = ?').get(id) as Row | undefined;
    return r && instanceFrom(r);
  }

  instanceByName(name: string): Instance | undefined {
    const r = this.q('SELECT * FROM instances WHERE name = ?').get(name) as Row | undefined;
    return r && instanceFrom(r);
  }

  createInstances(wu: WorkUnitRow, count: number): void {
    const existing = (this.q('SELECT COUNT(*) AS n FROM instances WHERE workunit_id = ?').get(wu.id) as { n: number }).n;
    const insert = this.q('INSERT INTO instances (workunit_id, name) VALUES (?, ?)');
    for (let k = 0; k < count; k++) insert.run(wu.id, `${wu.name}_${existing + k}`);
  }

  updateInstance(id: number, patch: Partial<Instance> & { elapsedSeconds?: number; failureReason?: string | null }): void {
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (keys.length === 0) return;
    const col = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    this.q(`UPDATE instances SET ${keys.map((k) => `${col(k)} = ?`).join(', ')} WHERE id = ?`).run(...keys.map((k) => patch[k] ?? null), id);
  }

  host(id: number): HostRow | undefined {
    const r = this.q('SELECT * FROM hosts WHERE id = ?').get(id) as Row | undefined;
    return r && hostFrom(r);
  }

  insertHost(h: Omit<HostRow, 'id'>): number {
    return Number(this.q(`INSERT INTO hosts (authenticator, user_name, cores, memory_bytes, gflops, created_at_ms, last_seen_ms,
      quota_per_day, sent_today, day_start_ms, total_credit, recent_credit, credit_updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(h.authenticator, h.userName, h.cores, h.memoryBytes, h.gflops, h.lastSeenMs, h.lastSeenMs, h.quota.perDay, h.quota.sentToday,
        h.quota.dayStartMs, h.credit.total, h.credit.recentAverage, h.credit.updatedAtMs).lastInsertRowid);
  }

  saveHost(h: HostRow): void {
    this.q(`UPDATE hosts SET user_name = ?, cores = ?, memory_bytes = ?, gflops = ?, last_seen_ms = ?, quota_per_day = ?, sent_today = ?,
      day_start_ms = ?, total_credit = ?, recent_credit = ?, credit_updated_ms = ? WHERE id = ?`).run(h.userName, h.cores, h.memoryBytes, h.gflops,
      h.lastSeenMs, h.quota.perDay, h.quota.sentToday, h.quota.dayStartMs, h.credit.total, h.credit.recentAverage, h.credit.updatedAtMs, h.id);
  }

  userCredit(name: string): CreditTotals {
    const r = this.q('SELECT * FROM users WHERE name = ?').get(name) as Row | undefined;
    return r ? { total: r['total_credit'] as number, recentAverage: r['recent_credit'] as number, updatedAtMs: r['credit_updated_ms'] as number } : { total: 0, recentAverage: 0, updatedAtMs: 0 };
  }

  saveUserCredit(name: string, c: CreditTotals): void {
    this.q(`INSERT INTO users (name, total_credit, recent_credit, credit_updated_ms) VALUES (?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET total_credit = excluded.total_credit, recent_credit = excluded.recent_credit, credit_updated_ms = excluded.credit_updated_ms`)
      .run(name, c.total, c.recentAverage, c.updatedAtMs);
  }
}

function appFrom(r: Row): AppRow {
  return { id: r['id'] as number, name: r['name'] as string, version: r['version'] as number, wasmSha256: r['wasm_sha256'] as string,
    wasmBytes: r['wasm_bytes'] as number, manifest: r['manifest'] as string, signature: r['signature'] as string,
    comparatorSha256: (r['comparator_sha256'] as string | null) ?? null };
}

function workUnitFrom(r: Row): WorkUnitRow {
  return {
    id: r['id'] as number, name: r['name'] as string, appName: r['app_name'] as string, appId: r['app_id'] as number,
    inputs: JSON.parse(r['inputs'] as string) as InputRef[], stdinName: r['stdin_name'] as string | null, seed: r['seed'] as string,
    bounds: { cpuSeconds: r['cpu_seconds'] as number, memoryBytes: r['memory_bytes'] as number, outputBytes: r['output_bytes'] as number },
    minQuorum: r['min_quorum'] as number, targetNResults: r['target_nresults'] as number, maxErrorResults: r['max_error_results'] as number,
    maxTotalResults: r['max_total_results'] as number, maxSuccessResults: r['max_success_results'] as number, delayBoundMs: r['delay_bound_ms'] as number,
    state: r['state'] as WorkUnit['state'], error: r['error'] as WorkUnit['error'], canonicalInstanceId: r['canonical_instance_id'] as number | null,
    canonicalCredit: r['canonical_credit'] as number | null, assimilated: r['assimilated'] === 1, createdAtMs: r['created_at_ms'] as number,
  };
}

function instanceFrom(r: Row): Instance {
  return {
    id: r['id'] as number, workUnitId: r['workunit_id'] as number, name: r['name'] as string, serverState: r['server_state'] as Instance['serverState'],
    outcome: r['outcome'] as Instance['outcome'], validateState: r['validate_state'] as Instance['validateState'], hostId: r['host_id'] as number | null,
    sentAtMs: r['sent_at_ms'] as number | null, deadlineMs: r['deadline_ms'] as number | null, receivedAtMs: r['received_at_ms'] as number | null,
    outputSha256: r['output_sha256'] as string | null, outputBytes: r['output_bytes'] as number | null, cpuSeconds: r['cpu_seconds'] as number | null,
    claimedCredit: r['claimed_credit'] as number | null, grantedCredit: r['granted_credit'] as number | null,
  };
}

function hostFrom(r: Row): HostRow {
  return {
    id: r['id'] as number, authenticator: r['authenticator'] as string, userName: r['user_name'] as string | null, cores: r['cores'] as number,
    memoryBytes: r['memory_bytes'] as number, gflops: r['gflops'] as number, lastSeenMs: r['last_seen_ms'] as number,
    quota: { perDay: r['quota_per_day'] as number, sentToday: r['sent_today'] as number, dayStartMs: r['day_start_ms'] as number },
    credit: { total: r['total_credit'] as number, recentAverage: r['recent_credit'] as number, updatedAtMs: r['credit_updated_ms'] as number },
  };
}
