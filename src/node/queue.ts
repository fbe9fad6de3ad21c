/**
 * The node's queue, as a pure policy: given the torrents in queue order, which run, which wait, which stay
 * stopped. Downloads and seeds have separate slot counts (as Transmission's download and seed queues); a paused
 * torrent or one in error never takes a slot; a magnet added paused runs outside the queue until its metadata
 * arrives, so its files can be chosen.
 */
export interface QueueItem {
  paused: boolean;
  /** Every wanted byte verified (it would seed). */
  complete: boolean;
  /** In error: stays stopped until resumed. */
  failed: boolean;
  /** A paused magnet fetching only its metadata. */
  metadataOnly: boolean;
}

export type QueueVerdict = 'run' | 'queued' | 'stopped';

export function queueVerdicts(items: readonly QueueItem[], maxDownloads: number, maxSeeds: number): QueueVerdict[] {
  let downloads = 0;
  let seeds = 0;
  return items.map((item) => {
    if (item.metadataOnly) return 'run';
    if (item.paused || item.failed) return 'stopped';
    if (item.complete) return seeds++ < maxSeeds ? 'run' : 'queued';
    return downloads++ < maxDownloads ? 'run' : 'queued';
  });
}

export type QueueMove = 'top' | 'up' | 'down' | 'bottom';

/** Moves the `moving` ids within `order` (ids in queue order); returns the new order. Pure. */
export function moveInQueue(order: readonly number[], moving: ReadonlySet<number>, to: QueueMove): number[] {
  const picked = order.filter((id) => moving.has(id));
  const rest = order.filter((id) => !moving.has(id));
  if (to === 'top') return [...picked, ...rest];
  if (to === 'bottom') return [...rest, ...picked];
  const out = [...order];
  // Up: each moving id swaps with the one before it unless that one moves too (so a block moves as a block).
  if (to === 'up') {
    for (let i = 1; i < out.length; i++) {
      if (moving.has(out[i]!) && !moving.has(out[i - 1]!)) [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
    }
  } else {
    for (let i = out.length - 2; i >= 0; i--) {
      if (moving.has(out[i]!) && !moving.has(out[i + 1]!)) [out[i + 1], out[i]] = [out[i]!, out[i + 1]!];
    }
  }
  return out;
}
