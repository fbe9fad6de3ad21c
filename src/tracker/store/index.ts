import { TrackerError } from '../errors.js';
import { MemoryStore } from './memory.js';
import type { StoreLimits, SwarmStore } from './store.js';

export type { SwarmStore, StoreLimits, StoreAnnounce, StoreAnnounceResult, StoreScrape, StoreStats } from './store.js';
export { MemoryStore } from './memory.js';

/** Builds the store a `--store` value names: "memory" or "redis://HOST:PORT[/DB]". */
export async function createStore(spec: string, limits: StoreLimits): Promise<SwarmStore> {
  if (spec === 'memory') return new MemoryStore(limits);
  if (spec.startsWith('redis://')) {
    const { RedisStore } = await import('./redis.js');
    return RedisStore.connect(spec, limits);
  }
  throw new TrackerError('TRACKER_BAD_URL', `unknown store "${spec}": use memory or redis://HOST:PORT`, 'input');
}
