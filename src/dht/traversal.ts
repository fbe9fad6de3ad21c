/**
 * Drives a pure `Lookup` over the network: sends the queries it asks for, feeds back answers and failures, and
 * returns when it is done. The caller sees each response through `onResponse` (for peers in `values`).
 */
import type { Contact, PeerAddress } from './compact.js';
import { DhtError } from './errors.js';
import type { KrpcResponse, QueryArgs } from './krpc.js';
import { Lookup, type LookupContact, type LookupOptions } from './lookup.js';
import type { KrpcRpc } from './rpc.js';

export interface TraversalHooks {
  /** Every response, after the lookup has taken its nodes. */
  onResponse?: (r: KrpcResponse, from: PeerAddress) => void;
  /** Every failed query to a node with a known id. */
  onFailure?: (c: LookupContact) => void;
}

export interface TraversalOptions extends LookupOptions {
  /** After this long unanswered, a query stops holding a concurrency slot (its answer is still taken). */
  softTimeoutMs: number;
}

export async function traverse(
  rpc: KrpcRpc,
  target: Buffer,
  method: 'find_node' | 'get_peers',
  seeds: readonly LookupContact[],
  opts: TraversalOptions,
  hooks: TraversalHooks,
  signal?: AbortSignal,
): Promise<Lookup> {
  const lookup = new Lookup(target, opts, seeds);
  const args: QueryArgs = method === 'find_node' ? { q: 'find_node', target } : { q: 'get_peers', infoHash: target };
  let wake: (() => void) | undefined;
  const woken = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  signal?.addEventListener('abort', woken, { once: true });
  const softTimers = new Set<ReturnType<typeof setTimeout>>();
  try {
    while (!lookup.done) {
      if (signal?.aborted) throw new DhtError('DHT_ABORTED', 'lookup aborted');
      for (const c of lookup.next()) {
        const soft = setTimeout(() => {
          softTimers.delete(soft);
          lookup.stalled(c);
          woken();
        }, opts.softTimeoutMs);
        softTimers.add(soft);
        const settled = (): void => {
          clearTimeout(soft);
          softTimers.delete(soft);
        };
        rpc.query(c, args, { signal }).then(
          (r) => {
            settled();
            const nodes: Contact[] = (rpc.family === 6 ? r.nodes6 : r.nodes) ?? [];
            lookup.responded(c, r.id, nodes, r.token);
            hooks.onResponse?.(r, c);
            woken();
          },
          () => {
            settled();
            lookup.failed(c);
            hooks.onFailure?.(c);
            woken();
          },
        );
      }
      if (lookup.done) break;
      if (lookup.outstanding === 0) break; // nothing in flight and nothing to ask: no route to anywhere
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    for (const t of softTimers) clearTimeout(t);
    signal?.removeEventListener('abort', woken);
  }
  return lookup;
}
