/** What `tandem compute status` shows: work units, instances, hosts and credit, counted from the store. */
import type { ComputeStore } from './store.js';

export interface ProjectStatus {
  workUnits: Record<string, number>;
  instances: Record<string, number>;
  hosts: { id: number; user: string | null; cores: number; lastSeenMs: number; quotaPerDay: number; totalCredit: number; recentCredit: number; valid: number; invalid: number; errors: number }[];
  users: { name: string; totalCredit: number; recentCredit: number }[];
  workUnitList?: { name: string; state: string; error: string | null; canonical: string | null; instances: { name: string; host: number | null; state: string; outcome: string | null; validate: string; credit: number | null }[] }[];
}

export function projectStatus(store: ComputeStore, _nowMs: number, detail = false): ProjectStatus {
  const count = (sql: string): Record<string, number> =>
    Object.fromEntries((store.db.prepare(sql).all() as { k: string; n: number }[]).map((r) => [r.k, r.n]));
  const status: ProjectStatus = {
    workUnits: count(`SELECT state || CASE WHEN state != 'active' AND assimilated = 0 THEN '_unassimilated' ELSE '' END AS k, COUNT(*) AS n FROM workunits GROUP BY k`),
    instances: count(`SELECT server_state || COALESCE('/' || outcome, '') || CASE WHEN outcome = 'success' THEN '/' || validate_state ELSE '' END AS k, COUNT(*) AS n FROM instances GROUP BY k`),
    hosts: (store.db.prepare(`SELECT h.id, h.user_name AS user, h.cores, h.last_seen_ms AS lastSeenMs, h.quota_per_day AS quotaPerDay,
        h.total_credit AS totalCredit, h.recent_credit AS recentCredit,
        (SELECT COUNT(*) FROM instances i WHERE i.host_id = h.id AND i.validate_state = 'valid') AS valid,
        (SELECT COUNT(*) FROM instances i WHERE i.host_id = h.id AND i.validate_state = 'invalid') AS invalid,
        (SELECT COUNT(*) FROM instances i WHERE i.host_id = h.id AND i.outcome IN ('client_error', 'no_reply', 'validate_error')) AS errors
      FROM hosts h ORDER BY h.id`).all() as ProjectStatus['hosts']),
    users: store.db.prepare('SELECT name, total_credit AS totalCredit, recent_credit AS recentCredit FROM users ORDER BY total_credit DESC').all() as ProjectStatus['users'],
  };
  if (detail) status.workUnitList = workUnitList(store);
  return status;
}

function workUnitList(store: ComputeStore): NonNullable<ProjectStatus['workUnitList']> {
  const wus = store.db.prepare(`SELECT w.id, w.name, w.state, w.error, c.name AS canonical FROM workunits w LEFT JOIN instances c ON c.id = w.canonical_instance_id ORDER BY w.id`).all() as
    { id: number; name: string; state: string; error: string | null; canonical: string | null }[];
  const byWu = store.db.prepare(`SELECT name, host_id AS host, server_state AS state, outcome, validate_state AS validate, granted_credit AS credit FROM instances WHERE workunit_id = ? ORDER BY id`);
  return wus.map((w) => ({ name: w.name, state: w.state, error: w.error, canonical: w.canonical, instances: byWu.all(w.id) as NonNullable<ProjectStatus['workUnitList']>[number]['instances'] }));
}
