/**
 * A volunteer (`tandem compute join URL`): asks the project's scheduler for work, fetches each application and
 * input (checking its SHA-256, and the application's manifest against the project's Ed25519 key), runs every
 * instance in the sandbox, uploads the output under the instance's permit and reports. It backs off exponentially
 * while the server is away and keeps its slots on disk across its own restarts.
 *
 * @example
 *   const v = new Volunteer({ projectUrl: 'http://127.0.0.1:8090/', stateDir, cores: 2 }, { onEvent: console.log });
 *   await v.run(signal);
 */
import { createHash } from 'node:crypto';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';
import type { FinishedReport, SchedulerReply } from './protocol.js';
import { runSandboxed, type SandboxResult } from './sandbox/sandbox.js';
import { loadPublicKey, manifestSignatureValid, manifestString } from './signing.js';
import { fetchProject, fetchVerified, schedulerCall, uploadOutput } from './transfer.js';
import { SwarmFetcher } from './swarm-fetch.js';
import { VolunteerState, type Job, type VolunteerIdentity } from './volunteer-state.js';

export interface VolunteerInit {
  projectUrl: string;
  stateDir?: string;
  cores?: number;
  memoryBytes?: number;
  userName?: string;
  /** Pins the project's public key (PEM) instead of trusting the first one the server shows. */
  projectKeyPem?: string;
  /** Stop after this many instances were reported and acknowledged (tests, one-shot runs). */
  maxInstances?: number;
  /** Fetch files through the swarm (`tandem get --seed` children) and keep seeding them; see swarm-fetch.ts. */
  swarm?: { listenHost?: string; maxSeeding?: number };
}

export type VolunteerEvent =
  | { type: 'scheduler'; got: number; acks: number; aborts: number }
  | { type: 'backoff'; delayMs: number; error: string }
  | { type: 'instance'; name: string; status: FinishedReport['status']; reason: string | null; cpuSeconds: number }
  | { type: 'refused'; name: string; error: string }
  | { type: 'fetched'; sha256: string; bytes: number; via: 'swarm' | 'http' }
  | { type: 'sandbox'; name: string; reason: string; message: string }
  | { type: 'resumed'; name: string; checkpoints: string[] };

export class Volunteer {
  private readonly state: VolunteerState;
  private readonly cores: number;
  private identity?: VolunteerIdentity;
  private readonly running = new Map<string, AbortController>();
  private readonly reports = new Map<string, FinishedReport>();
  /** Files being fetched, by SHA-256: two slots that need the same application share one download. */
  private readonly fetching = new Map<string, Promise<Buffer>>();
  private wake?: () => void;
  private wakePending = false;
  private acked = 0;
  private readonly gflops = measureGflops();
  private filesUrl?: string;
  private readonly swarm?: SwarmFetcher;

  constructor(private readonly init: VolunteerInit, private readonly hooks: { onEvent?: (e: VolunteerEvent) => void } = {}) {
    this.state = new VolunteerState(init.stateDir ?? VolunteerState.defaultDir(init.projectUrl));
    this.cores = init.cores ?? Math.max(1, availableParallelism() - 1);
    if (init.swarm) this.swarm = new SwarmFetcher({ dir: join(this.state.dir, 'swarm'), listenHost: init.swarm.listenHost, maxSeeding: init.swarm.maxSeeding ?? 8 });
  }

  /** Runs until `signal` aborts (or `maxInstances` were acknowledged). */
  async run(signal: AbortSignal): Promise<void> {
    await this.state.init();
    await this.trustProject(signal);
    for (const slot of await this.state.slots()) {
      if (slot.report) this.reports.set(slot.job.assignment.name, slot.report);
      else this.start(slot.job);
    }
    let failures = 0;
    while (!signal.aborted && !(this.init.maxInstances !== undefined && this.acked >= this.init.maxInstances)) {
      let delayMs: number;
      try {
        const reply = await this.ask(signal);
        failures = 0;
        await this.apply(reply);
        // Every slot busy and nothing to report: the next call is when a slot ends (it wakes this loop).
        delayMs = this.running.size >= this.cores && this.reports.size === 0 ? COMPUTE_DEFAULTS.busyHeartbeatMs : reply.requestDelayMs;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof ComputeError && err.code === 'COMPUTE_AUTH') throw err;
        failures++;
        delayMs = Math.min(COMPUTE_DEFAULTS.backoffMaxMs, COMPUTE_DEFAULTS.backoffFirstMs * 2 ** Math.min(failures - 1, 20));
        delayMs = delayMs / 2 + Math.random() * (delayMs / 2); // jitter: volunteers do not all come back at once
        this.hooks.onEvent?.({ type: 'backoff', delayMs, error: (err as Error).message });
      }
      await this.sleep(delayMs, signal, true);
    }
    for (const c of this.running.values()) c.abort();
    this.swarm?.stop();
  }

  private async trustProject(signal: AbortSignal): Promise<void> {
    const saved = await this.state.identity();
    const pinned = this.init.projectKeyPem;
    const known = saved && saved.projectUrl === this.init.projectUrl && (!pinned || pinned.trim() === saved.publicKeyPem.trim());
    // Where files are served is asked every start (files are checked by hash, so it needs no trust); the key is
    // trusted once. A known project's volunteer starts even while the server is away, with the default files URL.
    const project = known
      ? await fetchProject(this.init.projectUrl, signal).catch(() => undefined)
      : await this.withRetries(() => fetchProject(this.init.projectUrl, signal), signal, 20);
    this.filesUrl = project?.filesUrl ?? new URL('file/', this.init.projectUrl).href;
    if (known) {
      this.identity = saved;
      return;
    }
    const shown = pinned ?? project!.publicKey;
    loadPublicKey(shown);
    this.identity = { projectUrl: this.init.projectUrl, publicKeyPem: shown, hostId: null, authenticator: null };
    await this.state.saveIdentity(this.identity);
  }

  private async ask(signal: AbortSignal): Promise<SchedulerReply> {
    const id = this.identity!;
    const free = this.cores - this.running.size;
    return schedulerCall(this.init.projectUrl, {
      hostId: id.hostId, authenticator: id.authenticator, userName: this.init.userName ?? null, cores: this.cores,
      memoryBytes: this.init.memoryBytes ?? Math.floor(totalmem() / 2), gflops: this.gflops, wasmFeatures: ['mvp', 'bulk-memory', 'sign-ext'],
      workSeconds: free > 0 ? free * COMPUTE_DEFAULTS.workSecondsPerCore : 0,
      // Within the server's bound per call: a backlog from a long outage goes over several calls.
      finished: [...this.reports.values()].slice(0, COMPUTE_DEFAULTS.maxReportedInstances),
      inProgress: [...this.running.keys()].slice(0, COMPUTE_DEFAULTS.maxReportedInstances),
    }, signal);
  }

  private async apply(reply: SchedulerReply): Promise<void> {
    const id = this.identity!;
    if (id.hostId !== reply.hostId || id.authenticator !== reply.authenticator) {
      this.identity = { ...id, hostId: reply.hostId, authenticator: reply.authenticator };
      await this.state.saveIdentity(this.identity);
    }
    this.hooks.onEvent?.({ type: 'scheduler', got: reply.instances.length, acks: reply.acks.length, aborts: reply.aborts.length });
    for (const name of reply.acks) {
      if (this.reports.delete(name)) this.acked++;
      await this.state.forget(name);
    }
    for (const name of reply.aborts) {
      this.running.get(name)?.abort();
      this.running.delete(name);
      await this.state.forget(name);
    }
    for (const assignment of reply.instances) {
      if (this.running.has(assignment.name) || this.reports.has(assignment.name)) continue;
      const workUnit = reply.workUnits.find((w) => w.name === assignment.workUnit);
      const app = workUnit && reply.apps.find((a) => a.name === workUnit.app && a.version === workUnit.appVersion);
      if (!workUnit || !app) continue;
      const job = { assignment, workUnit, app };
      await this.state.saveJob(job);
      this.start(job);
    }
  }

  private start(job: Job): void {
    const controller = new AbortController();
    this.running.set(job.assignment.name, controller);
    void this.execute(job, controller.signal)
      .then(async (report) => {
        if (controller.signal.aborted) return;
        await this.state.saveReport(job.assignment.name, report);
        this.reports.set(job.assignment.name, report);
        this.hooks.onEvent?.({ type: 'instance', name: job.assignment.name, status: report.status, reason: report.reason, cpuSeconds: report.cpuSeconds });
      })
      .catch(() => undefined) // aborted, or the state folder vanished: the server will resend or time it out
      .finally(() => {
        if (this.running.get(job.assignment.name) === controller) this.running.delete(job.assignment.name);
        // No wait to end yet (the loop is between calls): the next wait ends at once instead.
        if (this.wake) this.wake();
        else this.wakePending = true;
      });
  }

  /** Fetch, check, run, upload: every failure becomes a report, so the server learns of it. */
  private async execute(job: Job, signal: AbortSignal): Promise<FinishedReport> {
    const base = { instance: job.assignment.name, cpuSeconds: 0, elapsedSeconds: 0, outputSha256: null, outputBytes: null };
    let wasm: Buffer;
    try {
      wasm = await this.fetchApp(job, signal);
    } catch (err) {
      this.hooks.onEvent?.({ type: 'refused', name: job.assignment.name, error: (err as Error).message });
      return { ...base, status: 'client_error', reason: err instanceof ComputeError && err.code === 'COMPUTE_SERVER' ? 'download_failed' : 'app_refused' };
    }
    const inputs: [string, Buffer][] = [];
    try {
      for (const ref of job.workUnit.inputs) inputs.push([ref.name, await this.fetchFile(ref.sha256, ref.bytes, signal)]);
    } catch {
      return { ...base, status: 'client_error', reason: 'download_failed' };
    }
    const w = job.workUnit;
    const name = job.assignment.name;
    // Checkpoint files are written one after another, so the newest always lands last.
    let saving = Promise.resolve();
    const onCheckpoint = (file: string, data: Buffer): void => {
      saving = saving.then(() => this.state.saveCheckpoint(name, file, data)).catch(() => undefined);
    };
    const run = async (): Promise<SandboxResult> => {
      await saving;
      const checkpoints = await this.state.checkpoints(name);
      if (checkpoints.length > 0) this.hooks.onEvent?.({ type: 'resumed', name, checkpoints: checkpoints.map(([f]) => f) });
      return runSandboxed({
        wasm, inputs, stdinName: w.stdinName, seed: Buffer.from(w.seed, 'hex'), signal, label: name, checkpoints, onCheckpoint,
        bounds: { cpuSeconds: w.cpuSeconds, memoryBytes: w.memoryBytes, outputBytes: w.outputBytes },
      });
    };
    let r = await run();
    // `crashed` is the sandbox's own failure (a child that could not start or vanished), not the module's: once more.
    if (r.status === 'client_error' && r.reason === 'crashed' && !signal.aborted) r = await run();
    const times = { cpuSeconds: r.cpuSeconds, elapsedSeconds: r.elapsedSeconds };
    if (r.status === 'client_error') {
      this.hooks.onEvent?.({ type: 'sandbox', name: job.assignment.name, reason: r.reason, message: r.message });
      return { ...base, ...times, status: 'client_error', reason: r.reason };
    }
    await this.state.saveOutput(job.assignment.name, r.bundle);
    try {
      let attempt = 0;
      await this.withRetries(() => uploadOutput(this.init.projectUrl, job.assignment.name, job.assignment.permit, r.bundle, signal, attempt++ > 0), signal);
    } catch {
      return { ...base, ...times, status: 'client_error', reason: 'upload_failed' };
    }
    const outputSha256 = createHash('sha256').update(r.bundle).digest('hex');
    return { ...base, ...times, status: 'success', reason: null, outputSha256, outputBytes: r.bundle.length };
  }

  /** The application, only if its manifest is signed by the project's key and names exactly these bytes. */
  private async fetchApp(job: Job, signal: AbortSignal): Promise<Buffer> {
    const app = job.app;
    const key = loadPublicKey(this.identity!.publicKeyPem);
    if (!manifestSignatureValid(app.manifest, app.signature, key)) throw new ComputeError('COMPUTE_BAD_SIGNATURE', `application ${app.name} v${app.version}: bad manifest signature`);
    const expected = manifestString({ app: app.name, version: app.version, wasmSha256: app.wasmSha256, wasmBytes: app.wasmBytes });
    if (expected !== app.manifest) throw new ComputeError('COMPUTE_BAD_SIGNATURE', `application ${app.name}: the manifest does not describe the application sent`);
    return this.fetchFile(app.wasmSha256, app.wasmBytes, signal);
  }

  private async fetchFile(sha256: string, bytes: number, signal: AbortSignal): Promise<Buffer> {
    const pending = this.fetching.get(sha256);
    if (pending) {
      try {
        return await pending;
      } catch (err) {
        // The other slot's download failed, or was cancelled with its instance: this slot tries on its own.
        if (signal.aborted) throw err;
      }
    }
    const p = this.fetchAndCache(sha256, bytes, signal).finally(() => {
      if (this.fetching.get(sha256) === p) this.fetching.delete(sha256);
    });
    this.fetching.set(sha256, p);
    return p;
  }

  private async fetchAndCache(sha256: string, bytes: number, signal: AbortSignal): Promise<Buffer> {
    const cached = await this.state.cachedFile(sha256);
    if (cached) return cached;
    let data: Buffer;
    // Through the swarm first, twice at most: the swarm takes no web seed (swarm-fetch.ts), so plain HTTP from the
    // files server is the backstop when the swarm cannot deliver.
    const got = this.swarm && await this.withRetries(() => this.swarm!.fetch(new URL(sha256, this.filesUrl).href, sha256, bytes, signal), signal, 2).catch(() => undefined);
    if (got) {
      this.hooks.onEvent?.({ type: 'fetched', sha256, bytes, via: got.viaSwarm ? 'swarm' : 'http' });
      data = got.data;
    } else {
      data = await this.withRetries(() => fetchVerified(this.filesUrl!, sha256, bytes, signal), signal);
      this.hooks.onEvent?.({ type: 'fetched', sha256, bytes, via: 'http' });
    }
    // The cache only saves a download next time: a file it cannot keep (a full disk) is no reason to fail the run.
    await this.state.cacheFile(sha256, data).catch(() => undefined);
    return data;
  }

  private async withRetries<T>(body: () => Promise<T>, signal: AbortSignal, attempts = 6): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await body();
      } catch (err) {
        const transient = err instanceof ComputeError && err.code === 'COMPUTE_SERVER';
        if (!transient || attempt >= attempts - 1 || signal.aborted) throw err;
        await this.sleep(Math.min(COMPUTE_DEFAULTS.backoffMaxMs, COMPUTE_DEFAULTS.backoffFirstMs * 2 ** Math.min(attempt, 20)), signal);
      }
    }
  }

  /** Waits `ms`, or less when aborted; the main loop's wait (`wakeable`) also ends when a slot finishes. */
  private sleep(ms: number, signal: AbortSignal, wakeable = false): Promise<void> {
    if (wakeable && this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (wakeable) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      if (wakeable) this.wake = done;
    });
  }
}

/** A rough speed for credit claims: multiply-adds in a short loop (the server clamps whatever is claimed). */
function measureGflops(): number {
  const start = performance.now();
  let x = 1.0001;
  let ops = 0;
  while (performance.now() - start < 20) {
    for (let k = 0; k < 100_000; k++) x = x * 1.0000001 + 1e-9;
    ops += 200_000;
  }
  return x > 0 ? ops / ((performance.now() - start) / 1000) / 1e9 : 0;
}
