import type { TokenBucket } from '../swarm/index.js';
import type { SessionSettings } from './types.js';

/**
 * Alternative speeds (Transmission's "turtle mode"): a second pair of global limits that replaces the normal pair
 * while `altSpeedEnabled` is on, so one switch slows the whole node down and back without losing either pair.
 * As everywhere in the node, 0 means no limit.
 */
export function globalLimits(s: SessionSettings): { downBytesPerSec: number; upBytesPerSec: number } {
  return s.altSpeedEnabled
    ? { downBytesPerSec: s.altSpeedDownBytesPerSec, upBytesPerSec: s.altSpeedUpBytesPerSec }
    : { downBytesPerSec: s.downloadLimitBytesPerSec, upBytesPerSec: s.uploadLimitBytesPerSec };
}

/** Sets the node's two global buckets to the limits in force. */
export function applyGlobalLimits(s: SessionSettings, down: TokenBucket, up: TokenBucket): void {
  const limits = globalLimits(s);
  down.setRate(limits.downBytesPerSec);
  up.setRate(limits.upBytesPerSec);
}
