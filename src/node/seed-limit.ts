/**
 * When a finished torrent stops seeding: Transmission's ratio modes, as its clients set them (`seedRatioMode` 0
 * follows the session's limit, 1 the torrent's own, 2 seeds forever). Pure.
 */

export type SeedRatioMode = 'global' | 'own' | 'unlimited';

/** Transmission's integer codes, in its order. */
export const SEED_RATIO_MODES: readonly SeedRatioMode[] = ['global', 'own', 'unlimited'];

/**
 * The ratio at which a torrent stops, or undefined when it seeds forever. The session's limit 0 means none (as
 * `seedRatioLimited: false`); a torrent's own limit is taken as given, so 0 stops it as soon as it is complete,
 * as Transmission does.
 */
export function seedRatioTarget(mode: SeedRatioMode, own: number, sessionLimit: number): number | undefined {
  if (mode === 'unlimited') return undefined;
  if (mode === 'own') return own;
  return sessionLimit > 0 ? sessionLimit : undefined;
}

export function seedLimitReached(t: { complete: boolean; ratio: number }, target: number | undefined): boolean {
  return t.complete && target !== undefined && t.ratio >= target;
}
