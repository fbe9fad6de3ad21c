import { LabError } from './errors.js';

/** The lab's modes: what serves the file and what fetches it (the last two: reference programs, for comparison). */
export const MODES = ['cs', 'p2p', 'hybrid', 'libtorrent', 'aria2'] as const;
export type Mode = (typeof MODES)[number];

const RATE_UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 };

/** Parses a link rate as tc writes it (`20mbit`, `512kbit`, `2mbps` = bytes) into bits per second. */
export function parseRate(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(text);
  const factor = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new LabError('LAB_USAGE', `${option}: "${text}" is not a rate (examples: 20mbit, 512kbit, 2mbps for bytes)`, 'input');
  const bps = Number(m[1]) * factor;
  if (!(bps >= 8_000 && bps <= 100e9)) throw new LabError('LAB_USAGE', `${option}: ${text} is outside 8kbit to 100gbit`, 'input');
  return bps;
}

/** `20000000` → `20mbit`, as tc takes it (whole kbit at least). */
export function tcRate(bps: number): string {
  return `${Math.round(bps / 1000)}kbit`;
}

/** `20000000` → `20 Mbit/s`, for people. */
export function formatRate(bps: number): string {
  if (bps >= 1e9) return `${+(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${+(bps / 1e6).toFixed(2)} Mbit/s`;
  return `${+(bps / 1e3).toFixed(1)} kbit/s`;
}

/** `1,2,4` → [1, 2, 4]: distinct whole numbers from 1 to max, in the order given. */
export function parseClientCounts(text: string, max: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > max) throw new LabError('LAB_USAGE', `--clients: "${p}" is not a whole number from 1 to ${max}`, 'input');
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** `cs,p2p` → the modes, each known. */
export function parseModes(text: string): Mode[] {
  const out: Mode[] = [];
  for (const p of text.split(',').map((s) => s.trim())) {
    if (!(MODES as readonly string[]).includes(p)) throw new LabError('LAB_USAGE', `--modes: "${p}" is not one of ${MODES.join(', ')}`, 'input');
    if (!out.includes(p as Mode)) out.push(p as Mode);
  }
  return out;
}
