/**
 * The daily quota of a host: how many instances it may receive per day. It starts at `dailyQuotaPerCore` per core,
 * loses one for every error or missed deadline (down to one a day, so a broken host keeps a way back), and doubles
 * for every valid result up to the start value. Pure; time passed in.
 */
import { COMPUTE_DEFAULTS } from './defaults.js';

const MS_PER_DAY = 24 * 60 * 60 * 1000;

export interface HostQuota {
  /** Instances a day this host may receive now. */
  perDay: number;
  /** Instances sent since `dayStartMs`. */
  sentToday: number;
  dayStartMs: number;
}

export function initialQuota(cores: number, nowMs: number): HostQuota {
  return { perDay: maxQuota(cores), sentToday: 0, dayStartMs: dayStart(nowMs) };
}

export function maxQuota(cores: number): number {
  return COMPUTE_DEFAULTS.dailyQuotaPerCore * Math.max(1, Math.min(256, Math.floor(cores)));
}

export function dayStart(nowMs: number): number {
  return nowMs - (nowMs % MS_PER_DAY);
}

/** How many more instances the host may receive today. */
export function remainingToday(q: HostQuota, nowMs: number): number {
  const sent = dayStart(nowMs) > q.dayStartMs ? 0 : q.sentToday;
  return Math.max(0, q.perDay - sent);
}

export function recordSent(q: HostQuota, count: number, nowMs: number): HostQuota {
  const today = dayStart(nowMs);
  const sent = today > q.dayStartMs ? 0 : q.sentToday;
  return { ...q, sentToday: sent + count, dayStartMs: today };
}

/** An error or a missed deadline: one fewer a day, never below one. */
export function onFailure(q: HostQuota): HostQuota {
  return { ...q, perDay: Math.max(1, q.perDay - 1) };
}

/** A valid result: trust comes back fast, up to the host's ceiling. */
export function onValid(q: HostQuota, cores: number): HostQuota {
  return { ...q, perDay: Math.min(maxQuota(cores), q.perDay * 2) };
}
