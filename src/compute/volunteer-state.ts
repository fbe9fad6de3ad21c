/**
 * What a volunteer keeps on disk, so its own restart loses nothing: the project's key (trusted on first use, or
 * pinned), its host id and authenticator, verified files by hash, and one folder per instance (the job, then the
 * output and the report until the server acknowledges it). Instances that were running are run again: the
 * sandbox is deterministic, so a rerun gives the same bytes; the checkpoint files a module saved (in the slot's
 * `checkpoint/` folder) go back into its folder, so it continues from its last checkpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FinishedReport, InstanceAssignment, WorkUnitSpec, AppVersion } from './protocol.js';
import { NAME_RE } from './protocol.js';
import { isCheckpointName } from './sandbox/checkpoints.js';

export interface VolunteerIdentity {
  projectUrl: string;
  publicKeyPem: string;
  hostId: number | null;
  authenticator: string | null;
}

export interface Job {
  assignment: InstanceAssignment;
  workUnit: WorkUnitSpec;
  app: AppVersion;
}

export interface Slot {
  job: Job;
  report: FinishedReport | null;
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o600);
  try {
    await fh.writeFile(JSON.stringify(value));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export class VolunteerState {
  readonly slotsDir: string;
  readonly filesDir: string;

  constructor(readonly dir: string) {
    this.slotsDir = join(dir, 'slots');
    this.filesDir = join(dir, 'files');
  }

  static defaultDir(projectUrl: string): string {
    const base = process.env.XDG_STATE_HOME ?? join(process.env.HOME ?? '.', '.local', 'state');
    return join(base, 'tandem', 'compute', createHash('sha256').update(projectUrl).digest('hex').slice(0, 16));
  }

  async init(): Promise<void> {
    await mkdir(this.slotsDir, { recursive: true });
    await mkdir(this.filesDir, { recursive: true });
  }

  identity(): Promise<VolunteerIdentity | undefined> {
    return readJson<VolunteerIdentity>(join(this.dir, 'identity.json'));
  }

  saveIdentity(id: VolunteerIdentity): Promise<void> {
    return writeJson(join(this.dir, 'identity.json'), id);
  }

  async cachedFile(sha256: string): Promise<Buffer | undefined> {
    const data = await readFile(join(this.filesDir, sha256)).catch(() => undefined);
    // A cached file is checked again: the disk is not trusted more than the network.
    return data && createHash('sha256').update(data).digest('hex') === sha256 ? data : undefined;
  }

  async cacheFile(sha256: string, data: Buffer): Promise<void> {
    // A name of its own per write: two slots caching the same file must not truncate or rename each other's.
    const tmp = join(this.filesDir, `${sha256}.${randomBytes(6).toString('hex')}.tmp`);
    await mkdir(this.filesDir, { recursive: true });
    const fh = await open(tmp, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o600);
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.filesDir, sha256));
  }

  async saveJob(job: Job): Promise<void> {
    const dir = join(this.slotsDir, job.assignment.name);
    await mkdir(dir, { recursive: true });
    await writeJson(join(dir, 'job.json'), job);
  }

  async saveReport(name: string, report: FinishedReport): Promise<void> {
    await writeJson(join(this.slotsDir, name, 'report.json'), report);
  }

  async saveOutput(name: string, data: Buffer): Promise<void> {
    const fh = await open(join(this.slotsDir, name, 'output.bin'), constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Replaces one checkpoint file of the slot, atomically: a crash leaves the old file or the new, never half. */
  async saveCheckpoint(name: string, file: string, data: Buffer): Promise<void> {
    if (!NAME_RE.test(name) || !isCheckpointName(file)) return;
    const dir = join(this.slotsDir, name, 'checkpoint');
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${file}.tmp`);
    const fh = await open(tmp, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, file));
  }

  /** The checkpoint files the slot's module saved in an earlier run. */
  async checkpoints(name: string): Promise<[string, Buffer][]> {
    const dir = join(this.slotsDir, name, 'checkpoint');
    const files = (await readdir(dir).catch(() => [] as string[])).filter(isCheckpointName).sort();
    const out: [string, Buffer][] = [];
    for (const f of files) {
      const data = await readFile(join(dir, f)).catch(() => undefined);
      if (data) out.push([f, data]);
    }
    return out;
  }

  output(name: string): Promise<Buffer | undefined> {
    return readFile(join(this.slotsDir, name, 'output.bin')).catch(() => undefined);
  }

  async forget(name: string): Promise<void> {
    if (NAME_RE.test(name)) await rm(join(this.slotsDir, name), { recursive: true, force: true });
  }

  /** Every slot on disk: jobs still to run (report null) and reports not yet acknowledged. */
  async slots(): Promise<Slot[]> {
    const names = await readdir(this.slotsDir).catch(() => [] as string[]);
    const slots: Slot[] = [];
    for (const name of names.filter((n) => NAME_RE.test(n))) {
      const job = await readJson<Job>(join(this.slotsDir, name, 'job.json'));
      if (job) slots.push({ job, report: (await readJson<FinishedReport>(join(this.slotsDir, name, 'report.json'))) ?? null });
      else await this.forget(name);
    }
    return slots;
  }
}
