import { codecTargets } from './targets-codecs.js';
import { peerTargets } from './targets-peer.js';
import { serviceTargets } from './targets-services.js';
import type { FuzzTarget } from './target.js';

/** Every decoder `npm run fuzz` and the unit tests feed, by name. */
export const FUZZ_TARGETS: FuzzTarget[] = [...codecTargets, ...peerTargets, ...serviceTargets];

export function targetNamed(name: string): FuzzTarget | undefined {
  return FUZZ_TARGETS.find((t) => t.name === name);
}
