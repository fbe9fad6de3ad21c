import { base32Decode } from './base32.js';
import { MetainfoError } from './errors.js';
import { asInfoHash, type InfoHash, type Metainfo } from './types.js';

/** A magnet link (BEP 9, BEP 53 `so`, BEP 52 `btmh`), parsed. */
export interface MagnetLink {
  infoHashV1?: InfoHash;
  infoHashV2?: InfoHash;
  name?: string;
  trackers: string[];
  webSeeds: string[];
  /** `x.pe`: peers to connect to directly, as `host:port`. */
  peers: string[];
  /** BEP 53 `so`: the file indexes to download. */
  selectOnly?: number[];
}

export const MAX_MAGNET_LENGTH = 64 * 1024;
const MAX_SELECTED = 100_000;
const MAX_ENTRIES = 1000;
// BEP 52: multihash prefix of a SHA2-256 digest (code 0x12, length 0x20).
const BTMH_PREFIX = '1220';

function bad(message: string): MetainfoError {
  return new MetainfoError('MAGNET_INVALID', `bad magnet link: ${message}`);
}

export function isMagnet(text: string): boolean {
  return text.slice(0, 8).toLowerCase() === 'magnet:?';
}

export function parseMagnet(uri: string): MagnetLink {
  if (uri.length > MAX_MAGNET_LENGTH) throw bad(`longer than ${MAX_MAGNET_LENGTH} characters`);
  if (!isMagnet(uri)) throw bad('it does not start with "magnet:?"');
  const out: MagnetLink = { trackers: [], webSeeds: [], peers: [] };
  const params = uri.slice(8).split('&').filter((p) => p.length > 0);
  if (params.length > MAX_ENTRIES) throw bad(`more than ${MAX_ENTRIES} parameters`);
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) throw bad(`parameter "${param}" has no value`);
    // BEP 9 allows numbered keys such as tr.1 for several of a kind.
    const key = param.slice(0, eq).toLowerCase().replace(/\.\d+$/, '');
    const value = percentDecode(param.slice(eq + 1), key);
    applyParam(out, key, value);
  }
  if (!out.infoHashV1 && !out.infoHashV2) throw bad('no BitTorrent info hash (xt=urn:btih:... or xt=urn:btmh:...)');
  return out;
}

function percentDecode(text: string, key: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw bad(`the value of ${key} is not valid percent-encoding`);
  }
}

function applyParam(out: MagnetLink, key: string, value: string): void {
  switch (key) {
    case 'xt':
      return applyExactTopic(out, value);
    case 'dn':
      out.name = value;
      return;
    case 'tr':
      out.trackers.push(value);
      return;
    case 'ws':
      out.webSeeds.push(value);
      return;
    case 'x.pe':
      if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(value)) throw bad(`x.pe "${value}" is not HOST:PORT`);
      out.peers.push(value);
      return;
    case 'so':
      out.selectOnly = parseSelectOnly(value);
      return;
    default:
      return; // unknown keys (xl, as, kt...) are allowed and ignored
  }
}

function applyExactTopic(out: MagnetLink, value: string): void {
  const lower = value.toLowerCase();
  if (lower.startsWith('urn:btih:')) {
    const text = value.slice(9);
    let hash: Buffer | undefined;
    if (/^[0-9a-fA-F]{40}$/.test(text)) hash = Buffer.from(text, 'hex');
    else if (text.length === 32) hash = base32Decode(text);
    if (!hash || hash.length !== 20) throw bad(`btih "${text}" is neither 40 hex digits nor 32 base32 characters`);
    out.infoHashV1 = asInfoHash(hash);
  } else if (lower.startsWith('urn:btmh:')) {
    const text = value.slice(9);
    if (!/^[0-9a-fA-F]{68}$/.test(text) || !text.startsWith(BTMH_PREFIX)) throw bad(`btmh "${text}" is not a SHA2-256 multihash (1220 and 64 hex digits)`);
    out.infoHashV2 = asInfoHash(Buffer.from(text.slice(4), 'hex'));
  }
}

function parseSelectOnly(value: string): number[] {
  const out: number[] = [];
  for (const part of value.split(',')) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(part);
    if (!m) throw bad(`so "${value}" is not a list of indexes and ranges`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw bad(`so range ${part} runs backwards`);
    if (out.length + (last - first + 1) > MAX_SELECTED) throw bad(`so selects more than ${MAX_SELECTED} files`);
    for (let i = first; i <= last; i++) out.push(i);
  }
  return out;
}

/**
 * BEP 53 `so`, with runs of consecutive indexes as ranges (`0,2-4`), in the order given: the parser expands ranges,
 * so a link read with `so=0-99999` was built again as 100,000 numbers, past the length any parser takes (found by
 * `npm run fuzz`).
 */
function selectOnlyText(indexes: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    out.push(j > i ? `${indexes[i]}-${indexes[j]}` : String(indexes[i]));
    i = j + 1;
  }
  return out.join(',');
}

/** Builds a magnet link from its parts; values are percent-encoded, info hashes in hex. */
export function buildMagnet(link: MagnetLink): string {
  const parts: string[] = [];
  if (link.infoHashV1) parts.push(`xt=urn:btih:${link.infoHashV1.toString('hex')}`);
  if (link.infoHashV2) parts.push(`xt=urn:btmh:${BTMH_PREFIX}${link.infoHashV2.toString('hex')}`);
  if (link.name !== undefined) parts.push(`dn=${encodeURIComponent(link.name)}`);
  for (const t of link.trackers) parts.push(`tr=${encodeURIComponent(t)}`);
  for (const w of link.webSeeds) parts.push(`ws=${encodeURIComponent(w)}`);
  for (const p of link.peers) parts.push(`x.pe=${encodeURIComponent(p)}`);
  if (link.selectOnly?.length) parts.push(`so=${selectOnlyText(link.selectOnly)}`);
  return `magnet:?${parts.join('&')}`;
}

export function magnetFromMetainfo(meta: Metainfo): string {
  return buildMagnet({
    infoHashV1: meta.infoHashV1,
    infoHashV2: meta.infoHashV2,
    name: meta.name,
    trackers: meta.announce.flat(),
    webSeeds: meta.urlList,
    peers: [],
  });
}
