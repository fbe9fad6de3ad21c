import { TrackerError } from './errors.js';

/** "HOST:PORT" or "[V6]:PORT" to its parts; the port may be 0 (pick a free one). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = text.match(/^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new TrackerError('TRACKER_BAD_URL', `"${text}" is not HOST:PORT`, 'input');
  return { host: m[1] ?? m[2]!, port };
}
