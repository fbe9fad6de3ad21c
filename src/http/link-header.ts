/**
 * The `Link` header (RFC 8288 §3): a list of `<URI-Reference>; param=value` entries. Pure: text in, typed links
 * out. A served file names its torrent with one (`rel="describedby"; type="application/x-bittorrent"`), and the
 * client finds it here. Hostile input is bounded: long headers and too many links are cut, never buffered on.
 */

export interface LinkValue {
  /** The target exactly as written between `<` and `>` (resolve it against the response's URL). */
  target: string;
  /** Parameter names lower-cased (§3: they are case-insensitive); values unquoted. The first of a name wins (§3.3). */
  params: Map<string, string>;
}

/** Header text beyond this is not parsed: a real Link header is a few hundred bytes. */
export const MAX_LINK_HEADER_CHARS = 8192;
/** At most this many links are returned from one header. */
export const MAX_LINKS = 64;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses one or more `Link` header values (Node joins repeated headers with ", "). Malformed entries are skipped,
 * not fatal: the header is advisory, and the rest of the response is still good.
 */
export function parseLinkHeader(header: string | string[] | undefined): LinkValue[] {
  if (header === undefined) return [];
  const text = (Array.isArray(header) ? header.join(', ') : header).slice(0, MAX_LINK_HEADER_CHARS);
  const links: LinkValue[] = [];
  let i = 0;
  while (i < text.length && links.length < MAX_LINKS) {
    const open = text.indexOf('<', i);
    if (open < 0) break;
    const close = text.indexOf('>', open + 1);
    if (close < 0) break;
    const { params, end } = parseParams(text, close + 1);
    links.push({ target: text.slice(open + 1, close).trim(), params });
    i = end;
  }
  return links;
}

/** Reads `; name=value` pairs from `start` up to the comma that ends this link (outside quotes) or the end. */
function parseParams(text: string, start: number): { params: Map<string, string>; end: number } {
  const params = new Map<string, string>();
  let i = start;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length) return { params, end: i };
    if (text[i] === ',') return { params, end: i + 1 };
    if (text[i] !== ';') return { params, end: skipToComma(text, i) };
    i = skipSpace(text, i + 1);
    const nameEnd = scan(text, i, (c) => c !== '=' && c !== ';' && c !== ',' && c !== ' ' && c !== '\t');
    const name = text.slice(i, nameEnd).toLowerCase();
    i = skipSpace(text, nameEnd);
    let value = '';
    if (text[i] === '=') {
      i = skipSpace(text, i + 1);
      if (text[i] === '"') {
        const q = readQuoted(text, i);
        value = q.value;
        i = q.end;
      } else {
        const valueEnd = scan(text, i, (c) => c !== ';' && c !== ',' && c !== ' ' && c !== '\t');
        value = text.slice(i, valueEnd);
        i = valueEnd;
      }
    }
    if (TOKEN.test(name) && !params.has(name)) params.set(name, value);
  }
}

/** RFC 9110 §5.6.4 quoted-string: backslash escapes one character. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return { value, end: Math.min(text.length, i + 1) };
}

function scan(text: string, i: number, ok: (c: string) => boolean): number {
  while (i < text.length && ok(text[i]!)) i++;
  return i;
}

function skipSpace(text: string, i: number): number {
  return scan(text, i, (c) => c === ' ' || c === '\t');
}

function skipToComma(text: string, i: number): number {
  const comma = text.indexOf(',', i);
  return comma < 0 ? text.length : comma + 1;
}

/** The media type a seeded file's torrent is offered as (BEP 3 does not register one; this is what everyone uses). */
export const TORRENT_MEDIA_TYPE = 'application/x-bittorrent';

/**
 * The torrent a response names: the first link with `rel` containing `describedby` (RFC 8288 §3.3: rel is a
 * space-separated list, case-insensitive) and `type` application/x-bittorrent, resolved against `base`. Only
 * http(s) targets are returned.
 */
export function findTorrentLink(header: string | string[] | undefined, base: URL): URL | undefined {
  for (const link of parseLinkHeader(header)) {
    const rels = (link.params.get('rel') ?? '').toLowerCase().split(/[ \t]+/);
    if (!rels.includes('describedby')) continue;
    if ((link.params.get('type') ?? '').toLowerCase() !== TORRENT_MEDIA_TYPE) continue;
    let url: URL;
    try {
      url = new URL(link.target, base);
    } catch {
      continue;
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  }
  return undefined;
}

/** Formats the header a seeded file's reply carries: `</path/file?torrent>; rel="describedby"; type="..."`. */
export function torrentLinkHeader(target: string): string {
  return `<${target}>; rel="describedby"; type="${TORRENT_MEDIA_TYPE}"`;
}
