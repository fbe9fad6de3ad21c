/**
 * Directory listings: an HTML table that sorts through links (no JavaScript) and the same data as JSON for
 * `Accept: application/json`. Pure: entries come in, text goes out.
 */
import { escapeHtml, PAGE_STYLE } from './pages.js';
import { formatBytes } from '../util/format.js';

export interface ListingEntry {
  name: string;
  type: 'file' | 'dir';
  sizeBytes: number;
  mtimeMs: number;
}

export type SortKey = 'name' | 'size' | 'date';
export type SortOrder = 'asc' | 'desc';

/** Reads `?sort=` and `?order=` from a query string; anything unknown falls back to name, ascending. */
export function sortFromQuery(query: string): { key: SortKey; order: SortOrder } {
  const params = new URLSearchParams(query.slice(0, 256));
  const s = params.get('sort');
  const key: SortKey = s === 'size' || s === 'date' ? s : 'name';
  return { key, order: params.get('order') === 'desc' ? 'desc' : 'asc' };
}

/** Folders first, then the chosen key; names break ties so the order is stable. */
export function sortEntries(entries: ListingEntry[], key: SortKey, order: SortOrder): ListingEntry[] {
  const sign = order === 'desc' ? -1 : 1;
  const byName = (a: ListingEntry, b: ListingEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...entries].sort((a, b) => {
    if (a.type !== b.type) return a.type === 'dir' ? -1 : 1;
    const primary = key === 'size' ? a.sizeBytes - b.sizeBytes : key === 'date' ? a.mtimeMs - b.mtimeMs : byName(a, b);
    return sign * (primary !== 0 ? primary : byName(a, b));
  });
}

/** The URL path of an entry inside `basePath` (which ends with '/'), each segment percent-encoded. */
export function entryHref(basePath: string, e: ListingEntry): string {
  return basePath + encodeURIComponent(e.name) + (e.type === 'dir' ? '/' : '');
}

export interface ListingInput {
  /** The decoded URL path of the folder, ending with '/'. */
  path: string;
  entries: ListingEntry[];
  key: SortKey;
  order: SortOrder;
  truncated: boolean;
}

export function listingJson(input: ListingInput): string {
  const encodedBase = input.path.split('/').map(encodeURIComponent).join('/');
  const entries = sortEntries(input.entries, input.key, input.order).map((e) => ({
    name: e.name,
    type: e.type,
    size: e.sizeBytes,
    modified: new Date(e.mtimeMs).toISOString(),
    href: entryHref(encodedBase, e),
  }));
  return JSON.stringify({ path: input.path, entries, truncated: input.truncated }) + '\n';
}

function headerLink(label: string, key: SortKey, input: ListingInput): string {
  const order: SortOrder = input.key === key && input.order === 'asc' ? 'desc' : 'asc';
  const arrow = input.key === key ? (input.order === 'asc' ? ' ▲' : ' ▼') : '';
  return `<th><a href="?sort=${key}&amp;order=${order}">${label}${arrow}</a></th>`;
}

export function listingHtml(input: ListingInput): string {
  const encodedBase = input.path.split('/').map(encodeURIComponent).join('/');
  const title = `Index of ${escapeHtml(input.path)}`;
  const rows = sortEntries(input.entries, input.key, input.order).map((e) => {
    const date = new Date(e.mtimeMs).toISOString().replace('T', ' ').slice(0, 19);
    const size = e.type === 'dir' ? '-' : formatBytes(e.sizeBytes);
    return `<tr><td><a href="${escapeHtml(entryHref(encodedBase, e))}">${escapeHtml(e.name)}${e.type === 'dir' ? '/' : ''}</a></td>` +
      `<td class="size" data-bytes="${e.sizeBytes}">${size}</td><td><time datetime="${new Date(e.mtimeMs).toISOString()}">${date} UTC</time></td></tr>`;
  });
  const parent = input.path === '/' ? '' : '<tr><td><a href="../">../</a></td><td class="size">-</td><td></td></tr>';
  const note = input.truncated ? `<p>Only the first ${input.entries.length} entries are shown.</p>` : '';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${PAGE_STYLE}</style></head><body>` +
    `<h1>${title}</h1><table><thead><tr>${headerLink('Name', 'name', input)}${headerLink('Size', 'size', input)}${headerLink('Modified', 'date', input)}</tr></thead>` +
    `<tbody>${parent}${rows.join('')}</tbody></table>${note}</body></html>\n`;
}
