/** Every default of `tandem compute` in one place, units in the names (STYLE.md 17). */
export const COMPUTE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8090,
  // Work unit: replication (BOINC's JobReplication: quorum 2 with two initial copies is volunteer computing).
  minQuorum: 2,
  maxErrorResults: 4,
  maxTotalResults: 8,
  maxSuccessResults: 6,
  delayBoundMs: 60 * 60 * 1000,
  // Work unit bounds: what one instance may use.
  cpuSeconds: 60,
  memoryBytes: 64 * 1024 * 1024,
  outputBytes: 16 * 1024 * 1024,
  /** The largest memory a work unit may allow (4 GiB is wasm32's whole address space). */
  maxMemoryBytes: 4 * 1024 * 1024 * 1024,
  /** Inputs and applications a project accepts per file. */
  maxFileBytes: 256 * 1024 * 1024,
  /** Input files per work unit. */
  maxInputsPerWorkUnit: 16,
  /** Bounds of an application's comparator, run by the server on two outputs. */
  comparatorCpuSeconds: 10,
  comparatorMemoryBytes: 256 * 1024 * 1024,
  // Scheduler.
  /** A scheduler request body beyond this is refused (413) before it is parsed. */
  maxSchedulerRequestBytes: 256 * 1024,
  /** Finished or in-progress instances one request may list. */
  maxReportedInstances: 1000,
  /** Instances sent in one reply. */
  maxInstancesPerReply: 32,
  /** What the reply asks a volunteer to wait before its next call. */
  requestDelayMs: 1_000,
  /** Daily quota per host, per core: shrinks on errors and missed deadlines, doubles back on valid results. */
  dailyQuotaPerCore: 200,
  /** The transitioner and assimilator sweep this often on the server. */
  sweepIntervalMs: 500,
  /** An upload permit is good for the instance's deadline plus this. */
  permitGraceMs: 10 * 60 * 1000,
  /** The assimilation hook is killed after this long (and tried again later). */
  hookTimeoutMs: 60_000,
  /** An input file stored or reused this recently is never deleted (a `submit` may be about to use it). */
  inputKeepAfterTouchMs: 10 * 60 * 1000,
  /**
   * The files server (`serve --files-http`) makes a torrent of each file from this size up (`serve --seed` waits
   * for 1 MiB): applications are often smaller, and every copy a volunteer takes from another is one the server
   * does not send.
   */
  swarmMinFileBytes: 256 * 1024,
  /**
   * Upload slots of the files server's own peer. Few, so at a simultaneous start it feeds a few volunteers that
   * pass the pieces on, instead of sending every volunteer a whole copy (volunteers take no web seed: its peer is
   * always a complete seed, and plain HTTP is their backstop).
   */
  filesSeedUploadSlots: 2,
  /** A request whose body has not arrived by then is cut. */
  requestTimeoutMs: 30_000,
  // Credit (BOINC's cobblestone: a 1 GFLOPS host earns 200 a day).
  creditPerGflopsDay: 200,
  /** Speeds a host may claim, so one host's claim cannot inflate the quorum's credit. */
  minHostGflops: 0.01,
  maxHostGflops: 1000,
  /** Recent average credit halves in this long without new credit. */
  creditHalfLifeMs: 7 * 24 * 60 * 60 * 1000,
  // Sandbox.
  /** Wall time allowed per CPU second of the bound: the child may wait on nothing, so this is slack only. */
  wallPerCpuFactor: 3,
  /** The parent samples the child's CPU time this often. */
  cpuSampleIntervalMs: 50,
  /** V8 heap of the sandbox child, apart from the wasm memory (which the module's maximum caps). */
  childHeapMiB: 64,
  /** The sandbox child must say it is ready within this (node start-up). */
  childStartTimeoutMs: 10_000,
  // Volunteer.
  /** Back-off after a failed scheduler call: doubles from the first to the last. */
  backoffFirstMs: 1_000,
  backoffMaxMs: 5 * 60 * 1000,
  /** A download or upload that moves nothing for this long fails. */
  transferTimeoutMs: 30_000,
  /** A volunteer with every slot busy still calls this often (it also calls whenever a slot ends). */
  busyHeartbeatMs: 60_000,
  /** Seconds of work a volunteer asks for, per core. */
  workSecondsPerCore: 60,
} as const;
