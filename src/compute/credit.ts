/**
 * Credit: claimed from an instance's CPU time and its host's measured speed, granted (by the validator) as the
 * lowest claim of the agreeing quorum, and kept per host and per user as a total and a recent average that decays
 * with a half-life. Pure; time passed in.
 */
import { COMPUTE_DEFAULTS } from './defaults.js';

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** The speed a host may claim, clamped so one host cannot inflate or zero the quorum's credit. */
export function clampGflops(gflops: number): number {
  if (!Number.isFinite(gflops)) return COMPUTE_DEFAULTS.minHostGflops;
  return Math.min(COMPUTE_DEFAULTS.maxHostGflops, Math.max(COMPUTE_DEFAULTS.minHostGflops, gflops));
}

/** Cobblestones: a 1 GFLOPS host computing for a day claims `creditPerGflopsDay`. */
export function claimedCredit(cpuSeconds: number, hostGflops: number, capCpuSeconds: number): number {
  const seconds = Math.min(Math.max(0, Number.isFinite(cpuSeconds) ? cpuSeconds : 0), capCpuSeconds);
  return (seconds * 1000 * clampGflops(hostGflops) * COMPUTE_DEFAULTS.creditPerGflopsDay) / MS_PER_DAY;
}

export interface CreditTotals {
  total: number;
  /** Credit per day, recently: decays by half every `halfLifeMs` without new credit. */
  recentAverage: number;
  updatedAtMs: number;
}

/**
 * Adds `credit` earned at `nowMs`. The average is a rate (credit per day): the old rate decays by the time passed;
 * the new credit, spread over that time, fills the weight the decay freed. Over a zero interval the credit is
 * added as the limit of that rule (an impulse of ln 2 / half-life).
 */
export function addCredit(t: CreditTotals, credit: number, nowMs: number, halfLifeMs: number = COMPUTE_DEFAULTS.creditHalfLifeMs): CreditTotals {
  const elapsedMs = Math.max(0, nowMs - t.updatedAtMs);
  const weight = Math.exp((-elapsedMs * Math.LN2) / halfLifeMs);
  let average = t.recentAverage * weight;
  if (credit > 0) {
    average += 1 - weight > 1e-9 ? ((1 - weight) * credit) / (elapsedMs / MS_PER_DAY) : (credit * Math.LN2 * MS_PER_DAY) / halfLifeMs;
  }
  return { total: t.total + Math.max(0, credit), recentAverage: average, updatedAtMs: Math.max(nowMs, t.updatedAtMs) };
}
