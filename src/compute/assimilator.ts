/**
 * The server's sweep: work units whose copies missed their deadline are settled (NO_REPLY, new copies), and
 * finished work units are assimilated: the canonical output is unpacked into `results/<work unit>/` (stdout as
 * `stdout`), a failed one leaves `results/<work unit>.failed`, and the uploads are deleted. Files are written
 * before the database says "assimilated", so a crash in between only means the same files are written again.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeBundle, OutputBundle } from './sandbox/bundle.js';
import type { ComputeStore } from './store.js';
import { settleWorkUnit } from './workflow.js';

export async function sweep(store: ComputeStore, dirs: { uploads: string; results: string }, nowMs: number): Promise<void> {
  const overdue = store.q(`SELECT DISTINCT workunit_id AS id FROM instances WHERE server_state = 'in_progress' AND deadline_ms < ?`).all(nowMs) as { id: number }[];
  for (const { id } of overdue) store.tx(() => settleWorkUnit(store, id, nowMs));
  const finished = store.q(`SELECT id FROM workunits WHERE state != 'active' AND assimilated = 0 LIMIT 100`).all() as { id: number }[];
  for (const { id } of finished) await assimilate(store, dirs, id);
}

async function assimilate(store: ComputeStore, dirs: { uploads: string; results: string }, id: number): Promise<void> {
  const wu = store.workUnit(id);
  if (!wu) return;
  const instances = store.instancesOf(id);
  if (wu.state === 'done') {
    const canonical = instances.find((i) => i.id === wu.canonicalInstanceId);
    if (!canonical) return;
    const files = decodeBundle(await readFile(join(dirs.uploads, canonical.name)));
    const dir = join(dirs.results, wu.name);
    await mkdir(dir, { recursive: true });
    for (const [name, data] of files) await writeAtomically(join(dir, name === OutputBundle.STDOUT ? 'stdout' : name), data);
  } else {
    await writeAtomically(join(dirs.results, `${wu.name}.failed`), Buffer.from(`${wu.error ?? 'failed'}\n`));
  }
  store.tx(() => store.updateWorkUnit(id, { assimilated: true }));
  for (const i of instances) if (i.serverState === 'over') await rm(join(dirs.uploads, i.name), { force: true });
}

async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o644);
  try {
    // No fsync: a killed server loses nothing the kernel holds, and power-cut durability is the store's NORMAL.
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
