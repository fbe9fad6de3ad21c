/**
 * The server's sweep: work units whose copies missed their deadline are settled (NO_REPLY, new copies), and
 * finished work units are assimilated: the canonical output is unpacked into `results/<work unit>/` (stdout as
 * `stdout`), a failed one leaves `results/<work unit>.failed`, an optional hook command is run, and then the
 * uploads and the input files no other work unit needs are deleted. Files are written (and the hook run) before
 * the database says "assimilated", so a crash in between only means the same is done again.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';
import { decodeBundle, OutputBundle } from './sandbox/bundle.js';
import type { Instance } from './model.js';
import type { ComputeStore, WorkUnitRow } from './store.js';
import { settleWorkUnit } from './workflow.js';
import { ComparatorValidation } from './comparator.js';

export interface AssimilatorInit {
  store: ComputeStore;
  dirs: { uploads: string; results: string; files: string };
  /** A shell command run for each finished work unit, with TANDEM_WORK_UNIT, TANDEM_STATE and TANDEM_RESULT. */
  hook?: string;
  onError?: (err: unknown) => void;
}

export class Assimilator {
  /** Work units whose assimilation failed, and when to try again (a broken hook is not run every sweep). */
  private readonly retryAtMs = new Map<number, { atMs: number; delayMs: number }>();
  private readonly comparators: ComparatorValidation;

  constructor(private readonly init: AssimilatorInit) {
    this.comparators = new ComparatorValidation(init.store, init.dirs);
  }

  async sweep(nowMs: number): Promise<void> {
    const store = this.init.store;
    const overdue = store.q(`SELECT DISTINCT workunit_id AS id FROM instances WHERE server_state = 'in_progress' AND deadline_ms < ?`).all(nowMs) as { id: number }[];
    for (const { id } of overdue) store.tx(() => settleWorkUnit(store, id, nowMs));
    await this.comparators.sweep(nowMs).catch((err: unknown) => this.init.onError?.(err));
    const finished = store.q(`SELECT id FROM workunits WHERE state != 'active' AND assimilated = 0 LIMIT 100`).all() as { id: number }[];
    // Results first, then one transaction marks the batch assimilated, then the files it no longer needs go: a
    // crash between two steps only repeats the first (one commit per batch, not per work unit: commits cost).
    const written: { wu: WorkUnitRow; instances: Instance[] }[] = [];
    for (const { id } of finished) {
      const retry = this.retryAtMs.get(id);
      if (retry && retry.atMs > nowMs) continue;
      try {
        const done = await this.writeResult(id);
        if (done) written.push(done);
        this.retryAtMs.delete(id);
      } catch (err) {
        const delayMs = Math.min(COMPUTE_DEFAULTS.backoffMaxMs, (retry?.delayMs ?? COMPUTE_DEFAULTS.backoffFirstMs / 2) * 2);
        this.retryAtMs.set(id, { atMs: nowMs + delayMs, delayMs });
        this.init.onError?.(err);
      }
    }
    if (written.length === 0) return;
    store.tx(() => {
      for (const { wu } of written) store.updateWorkUnit(wu.id, { assimilated: true });
    });
    for (const { wu, instances } of written) await this.dropFiles(wu, instances, nowMs);
  }

  /** The work unit's result in `results/` and its hook run; undefined when it is gone. */
  private async writeResult(id: number): Promise<{ wu: WorkUnitRow; instances: Instance[] } | undefined> {
    const { store, dirs } = this.init;
    const wu = store.workUnit(id);
    if (!wu) return undefined;
    const instances = store.instancesOf(id);
    let result: string;
    if (wu.state === 'done') {
      const canonical = instances.find((i) => i.id === wu.canonicalInstanceId);
      if (!canonical) throw new ComputeError('COMPUTE_NOT_FOUND', `work unit ${wu.name}: its canonical instance is missing`);
      const files = decodeBundle(await readFile(join(dirs.uploads, canonical.name)));
      result = join(dirs.results, wu.name);
      await mkdir(result, { recursive: true });
      for (const [name, data] of files) await writeAtomically(join(result, name === OutputBundle.STDOUT ? 'stdout' : name), data);
    } else {
      result = join(dirs.results, `${wu.name}.failed`);
      await writeAtomically(result, Buffer.from(`${wu.error ?? 'failed'}\n`));
    }
    if (this.init.hook) await runHook(this.init.hook, { TANDEM_WORK_UNIT: wu.name, TANDEM_STATE: wu.state, TANDEM_RESULT: result });
    return { wu, instances };
  }

  /** After the work unit is marked assimilated: its uploads, and the inputs nothing else needs. */
  private async dropFiles(wu: WorkUnitRow, instances: Instance[], nowMs: number): Promise<void> {
    const dirs = this.init.dirs;
    // With a comparator, a late result is compared with the canonical output itself: that upload stays.
    const keepCanonical = this.init.store.app(wu.appId)?.comparatorSha256 != null;
    for (const i of instances) {
      if (i.serverState === 'over' && !(keepCanonical && i.id === wu.canonicalInstanceId)) await rm(join(dirs.uploads, i.name), { force: true });
    }
    await this.dropUnneededInputs(wu, nowMs).catch((err: unknown) => this.init.onError?.(err));
  }

  /**
   * Deletes this work unit's inputs that no open work unit and no application uses. A file touched recently is
   * kept: `submit` (another process) may have just stored it for a work unit it has not inserted yet.
   */
  private async dropUnneededInputs(wu: WorkUnitRow, nowMs: number): Promise<void> {
    const store = this.init.store;
    for (const input of wu.inputs) {
      // Indexed by file (store.ts `workunit_inputs`): a scan of every open work unit's inputs here made each
      // assimilation cost time in proportion to the project's size.
      const used = store.inputInUse(input.sha256)
        || store.q('SELECT 1 FROM apps WHERE wasm_sha256 = ? OR comparator_sha256 = ? LIMIT 1').get(input.sha256, input.sha256) !== undefined;
      if (used) continue;
      const path = join(this.init.dirs.files, input.sha256);
      const info = await stat(path).catch(() => undefined);
      if (info && nowMs - info.mtimeMs > COMPUTE_DEFAULTS.inputKeepAfterTouchMs) await rm(path, { force: true });
    }
  }
}

function runHook(command: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    // The operator's own command, from the command line: run by the shell like any hook.
    const child = spawn(command, { shell: true, stdio: 'ignore', env: { ...process.env, ...env } });
    const timer = setTimeout(() => child.kill('SIGKILL'), COMPUTE_DEFAULTS.hookTimeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ComputeError('COMPUTE_SERVER', `assimilation hook: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new ComputeError('COMPUTE_SERVER', `assimilation hook for ${env['TANDEM_WORK_UNIT']} ended with ${signal ?? `status ${code}`}`));
    });
  });
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
