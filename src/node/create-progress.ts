import { NODE_DEFAULTS } from './defaults.js';
import type { NodeEvents } from './types.js';

export type CreateProgress = NodeEvents['create:progress'];

/**
 * The hashing progress of `torrents.create` as `create:progress` events: the first and the last always, and
 * in between at most one per `intervalMs`, so hashing a large folder sends a few events a second, not one per
 * piece. `job` is the name the caller gave the creation, so a face can tell its own apart.
 */
export function createProgressReporter(
  emit: (p: CreateProgress) => void,
  job: string,
  path: string,
  now: () => number = Date.now,
  intervalMs: number = NODE_DEFAULTS.createProgressIntervalMs,
): (hashedBytes: number, totalBytes: number) => void {
  let lastAt = -Infinity;
  return (hashedBytes, totalBytes) => {
    const t = now();
    const last = hashedBytes >= totalBytes;
    if (!last && hashedBytes > 0 && t - lastAt < intervalMs) return;
    lastAt = t;
    emit({ job, path, hashedBytes, totalBytes });
  };
}
