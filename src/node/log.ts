/** Where the node's components write what a person may want to read; the CLI's `Output` is one. */
export interface NodeLog {
  /** A line a person should see (a tracker's warning). */
  warn(text: string): void;
  /** Detail for --verbose. */
  detail(text: string): void;
}

/** A log that drops everything (library use, tests). */
export const SILENT_LOG: NodeLog = { warn: () => undefined, detail: () => undefined };
