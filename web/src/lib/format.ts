// How numbers read in the list: binary units as the CLI prints them, rates per second, short durations.
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function bytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return n === 0 ? '0 B' : '–';
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${UNITS[i]}`;
}

export function rate(n: number): string {
  return n > 0 ? `${bytes(n)}/s` : '';
}

export function percent(fraction: number): string {
  if (fraction >= 1) return '100%';
  // Never show 100% for a torrent that is not done.
  return `${Math.min(99.9, Math.floor(fraction * 1000) / 10).toFixed(1)}%`;
}

export function eta(seconds: number): string {
  if (seconds < 0 || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.floor(seconds % 60)}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

export function ratio(r: number): string {
  return r.toFixed(2);
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function date(ms: number): string {
  if (!ms) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Minutes after midnight as "HH:MM" (what a time input holds). */
export function timeOfDay(minutes: number): string {
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

export function ago(ms: number): string {
  if (!ms) return 'never';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  return s < 60 ? `${Math.round(s)}s ago` : `${eta(s)} ago`;
}

/** A time to come, as "in 29m 5s"; '' for none. */
export function until(ms: number, now = Date.now()): string {
  if (!ms) return '';
  const s = (ms - now) / 1000;
  return s <= 1 ? 'now' : `in ${eta(s)}`;
}

export const STATUS_TEXT: Record<string, string> = {
  stopped: 'Paused',
  queued: 'Queued',
  checking: 'Checking',
  metadata: 'Metadata',
  downloading: 'Downloading',
  seeding: 'Seeding',
  error: 'Error',
};
