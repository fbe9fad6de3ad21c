import { invalid } from './errors.js';

// Limits that keep a hostile torrent from describing more than a file system can hold.
export const MAX_PATH_DEPTH = 64;
export const MAX_COMPONENT_BYTES = 255;

/**
 * Checks one path component from a torrent: it must name a file inside the torrent's folder, so it is non-empty,
 * not `.` or `..`, and holds no `/`, `\` or NUL (which together rule out absolute paths too).
 */
export function checkComponent(raw: Buffer, where: string): string {
  if (raw.length === 0) throw invalid(`${where} has an empty path component`);
  if (raw.length > MAX_COMPONENT_BYTES) throw invalid(`${where} has a path component of ${raw.length} bytes, over ${MAX_COMPONENT_BYTES}`);
  const text = raw.toString('utf8');
  if (text === '.' || text === '..') throw invalid(`${where} has the path component "${text}"`);
  if (/[/\\\0]/.test(text)) throw invalid(`${where} has a path component with "/", "\\" or NUL: ${JSON.stringify(text)}`);
  return text;
}
