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
}

/** Why an instance ended without a result. */
export type FailureReason = 'refused' | 'exit_nonzero' | 'trap' | 'output_limit' | 'cpu_limit' | 'wall_limit' | 'memory_limit' | 'crashed';

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'done'; exitCode: number; bundle: Uint8Array; stderr: Uint8Array }
  | { type: 'failed'; reason: FailureReason; message: string; stderr: Uint8Array };
