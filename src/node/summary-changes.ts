import type { TorrentSummary } from './types.js';

/** The fields of `now` that differ from `before` (arrays compared by their items), or undefined when none do. Pure. */
export function changedFields(before: TorrentSummary, now: TorrentSummary): Partial<TorrentSummary> | undefined {
  const changes: Partial<TorrentSummary> = {};
  let any = false;
  for (const key of Object.keys(now) as (keyof TorrentSummary)[]) {
    const a = now[key];
    const b = before[key];
    if (a === b || (Array.isArray(a) && Array.isArray(b) && a.join('\u0000') === b.join('\u0000'))) continue;
    (changes as Record<string, unknown>)[key] = a;
    any = true;
  }
  return any ? changes : undefined;
}
