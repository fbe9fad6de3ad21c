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

/**
 * Whether `at` (local time) falls in the alternative speeds' timetable: from `altSpeedTimeBeginMinutes` to
 * `altSpeedTimeEndMinutes` on the days of `altSpeedTimeDays` (Transmission's mask: Sunday 1, Monday 2, ...,
 * Saturday 64; weekdays 62, weekend 65, every day 127). An end at or before the begin wraps past midnight, and the
 * window belongs to the day it began on; an end equal to the begin is an empty window.
 */
export function inAltSpeedWindow(s: SessionSettings, at: Date): boolean {
  const begin = s.altSpeedTimeBeginMinutes;
  const end = s.altSpeedTimeEndMinutes;
  if (begin === end) return false;
  const minutes = at.getHours() * 60 + at.getMinutes();
  const today = at.getDay();
  const dayOn = (day: number): boolean => (s.altSpeedTimeDays & (1 << day)) !== 0;
  if (begin < end) return minutes >= begin && minutes < end && dayOn(today);
  if (minutes >= begin) return dayOn(today);
  return minutes < end && dayOn((today + 6) % 7);
}

/**
 * Turns the alternative speeds on and off at the timetable's edges, as Transmission does: when the window opens or
 * closes, the switch follows it; in between, a person's own use of the switch stands until the next edge. When the
 * timetable is turned on or changed, the switch takes its state at once.
 */
export class AltSpeedSchedule {
  private last?: boolean;
  private key = '';

  /** The switch's new state when an edge (or a timetable change) calls for one; undefined to leave it as it is. */
  check(s: SessionSettings, at: Date): boolean | undefined {
    const key = `${s.altSpeedTimeEnabled}/${s.altSpeedTimeBeginMinutes}/${s.altSpeedTimeEndMinutes}/${s.altSpeedTimeDays}`;
    if (key !== this.key) {
      this.key = key;
      this.last = undefined;
    }
    if (!s.altSpeedTimeEnabled) return undefined;
    const now = inAltSpeedWindow(s, at);
    if (now === this.last) return undefined;
    this.last = now;
    return now === s.altSpeedEnabled ? undefined : now;
  }
}
