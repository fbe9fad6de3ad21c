/** The messages between the sandbox's parent and its child process (over node's IPC channel). */

export interface SandboxJob {
  wasm: Uint8Array;
  args: string[];
  env: Record<string, string>;
  inputs: [name: string, data: Uint8Array][];
  /** stdin is this input's bytes (or empty). */
  stdinName: string | null;
  seed: Uint8Array;
  memoryBytes: number;
  outputBytes: number;
  stderrBytes: number;
  /** Checkpoint files of an earlier run of this instance. */
  checkpoints: [name: string, data: Uint8Array][];
}

/** Why an instance ended without a result. */
export type FailureReason = 'refused' | 'exit_nonzero' | 'trap' | 'output_limit' | 'cpu_limit' | 'wall_limit' | 'memory_limit' | 'crashed';

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'checkpoint'; name: string; data: Uint8Array }
  | { type: 'done'; exitCode: number; bundle: Uint8Array; stderr: Uint8Array }
  | { type: 'failed'; reason: FailureReason; message: string; stderr: Uint8Array };
