import { randomBytes } from 'node:crypto';
import { SEED_RATIO_MODES, type IdSelector, type Node, type QueueMove, type SessionSettings, type TorrentChanges } from '../../node/index.js';
import { isTandemError } from '../../util/errors.js';
import { VERSION } from '../../util/version.js';
import { knownFields, torrentJson, torrentObject } from './fields.js';

/**
 * Transmission's RPC methods (spec §3-§4), each a small handler over the node's API. Speeds are in kB/s of 1000
 * bytes, as Transmission 3 reports in `units`. A failure is the `result` string; the HTTP status stays 200.
 */
export type Args = Record<string, unknown>;
type Handler = (ctx: TransmissionContext, args: Args) => Promise<Args> | Args;

export interface TransmissionContext {
  node: Node;
  /** Ids changed in the last minute, and ids removed in it (for `"recently-active"`). */
  recent(): { active: number[]; removed: number[] };
}

export class RpcFailure extends Error {}

/** JSON text already made, spliced into the reply as it is (see `replyText`). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** The reply's JSON text, with each `RawJson` value put in place unquoted. */
export function replyText(reply: Args): string {
  const raws: string[] = [];
  // A random mark per reply: a torrent name (network input) can never forge one.
  const mark = randomBytes(9).toString('hex');
  const text = JSON.stringify(reply, (_key, value: unknown) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `${mark}${raws.length - 1}`;
  });
  return raws.length === 0 ? text : text.replace(new RegExp(`"${mark}(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)]!);
}

const SPEED_BYTES = 1000;

/** torrent-get fields that depend only on the torrent's summary (not the clock, peers or files): safe to keep as text. */
const CACHEABLE_FIELDS = new Set(['id', 'hashString', 'name', 'status', 'error', 'errorString', 'eta', 'isFinished', 'isStalled', 'leftUntilDone', 'sizeWhenDone', 'totalSize', 'percentDone', 'metadataPercentComplete', 'recheckProgress', 'rateDownload', 'rateUpload', 'uploadRatio', 'uploadedEver', 'downloadedEver', 'haveValid', 'haveUnchecked', 'corruptEver', 'desiredAvailable', 'peersConnected', 'peersGettingFromUs', 'peersSendingToUs', 'webseedsSendingToUs', 'peer-limit', 'addedDate', 'doneDate', 'startDate', 'downloadDir', 'labels', 'queuePosition', 'sequentialDownload', 'pieceCount', 'downloadLimit', 'downloadLimited', 'uploadLimit', 'uploadLimited', 'seedRatioLimit', 'seedRatioMode']);
const ID_HEX = /^[0-9a-fA-F]{40}$/;

/** `ids`: an integer, a 40-hex info hash, an array of either, `"recently-active"`, or absent for all. */
function selector(ctx: TransmissionContext, args: Args): IdSelector | 'recent' {
  const v = args.ids;
  if (v === undefined) return 'all';
  if (v === 'recently-active') return 'recent';
  const one = (x: unknown): number | string => {
    if (typeof x === 'number' && Number.isInteger(x)) return x;
    if (typeof x === 'string' && ID_HEX.test(x)) return x.toLowerCase();
    if (typeof x === 'string' && /^\d{1,9}$/.test(x)) return Number(x);
    throw new RpcFailure(`invalid id ${JSON.stringify(x).slice(0, 60)}`);
  };
  if (Array.isArray(v)) return v.slice(0, 100_000).map(one);
  return [one(v)];
}

/** The node's entries an `ids` argument names; ids that name nothing are skipped, as Transmission does. */
function idsOf(ctx: TransmissionContext, args: Args): number[] {
  const sel = selector(ctx, args);
  if (sel === 'recent') return ctx.recent().active;
  if (sel === 'all') return ctx.node.ordered().map((e) => e.id);
  const out: number[] = [];
  for (const id of sel as (number | string)[]) {
    try {
      out.push(...ctx.node.torrents.resolve(id).map((e) => e.id));
    } catch {
      // unknown ids are ignored
    }
  }
  return out;
}

const kB = (bytesPerSec: number): number => Math.floor(bytesPerSec / SPEED_BYTES);

function sessionArgs(node: Node): Args {
  const s = node.getSettings();
  return {
    version: `3.00 (tandem ${VERSION})`,
    'rpc-version': 16,
    'rpc-version-minimum': 1,
    'config-dir': '',
    'download-dir': s.downloadDir,
    'download-dir-free-space': 0,
    'peer-port': node.peerPort || s.peerPort,
    'peer-port-random-on-start': false,
    'speed-limit-down': kB(s.downloadLimitBytesPerSec),
    'speed-limit-down-enabled': s.downloadLimitBytesPerSec > 0,
    'speed-limit-up': kB(s.uploadLimitBytesPerSec),
    'speed-limit-up-enabled': s.uploadLimitBytesPerSec > 0,
    'alt-speed-enabled': s.altSpeedEnabled,
    'alt-speed-down': kB(s.altSpeedDownBytesPerSec),
    'alt-speed-up': kB(s.altSpeedUpBytesPerSec),
    'alt-speed-time-enabled': s.altSpeedTimeEnabled,
    'alt-speed-time-begin': s.altSpeedTimeBeginMinutes,
    'alt-speed-time-end': s.altSpeedTimeEndMinutes,
    'alt-speed-time-day': s.altSpeedTimeDays,
    'download-queue-enabled': true,
    'download-queue-size': s.maxActiveDownloads,
    'seed-queue-enabled': true,
    'seed-queue-size': s.maxActiveSeeds,
    'dht-enabled': s.dht,
    'lpd-enabled': s.lsd,
    'pex-enabled': true,
    'utp-enabled': false,
    encryption: s.encryption === 'allow' ? 'tolerated' : s.encryption === 'prefer' ? 'preferred' : 'required',
    seedRatioLimit: s.seedRatioLimit,
    seedRatioLimited: s.seedRatioLimit > 0,
    'start-added-torrents': true,
    'rename-partial-files': false,
    'incomplete-dir-enabled': false,
    'incomplete-dir': s.downloadDir,
    'peer-limit-global': 2000,
    'peer-limit-per-torrent': 200,
    units: { 'speed-units': ['kB/s', 'MB/s', 'GB/s', 'TB/s'], 'speed-bytes': SPEED_BYTES, 'size-units': ['kB', 'MB', 'GB', 'TB'], 'size-bytes': 1000, 'memory-units': ['KiB', 'MiB', 'GiB', 'TiB'], 'memory-bytes': 1024 },
  };
}

/** session-set arguments to the node's settings (unknown arguments are ignored, as Transmission does). */
function settingsFrom(node: Node, args: Args): Partial<SessionSettings> {
  const cur = node.getSettings();
  const out: Record<string, unknown> = {};
  const num = (k: string): number | undefined => (typeof args[k] === 'number' ? (args[k] as number) : undefined);
  if (typeof args['download-dir'] === 'string') out.downloadDir = args['download-dir'];
  if (num('peer-port') !== undefined) out.peerPort = num('peer-port');
  const limit = (speed: string, enabled: string, key: 'downloadLimitBytesPerSec' | 'uploadLimitBytesPerSec'): void => {
    const on = typeof args[enabled] === 'boolean' ? (args[enabled] as boolean) : cur[key] > 0;
    const value = num(speed) ?? kB(cur[key]);
    if (args[speed] !== undefined || args[enabled] !== undefined) out[key] = on ? Math.max(0, Math.round(value * SPEED_BYTES)) : 0;
  };
  limit('speed-limit-down', 'speed-limit-down-enabled', 'downloadLimitBytesPerSec');
  limit('speed-limit-up', 'speed-limit-up-enabled', 'uploadLimitBytesPerSec');
  if (typeof args['alt-speed-enabled'] === 'boolean') out.altSpeedEnabled = args['alt-speed-enabled'];
  if (num('alt-speed-down') !== undefined) out.altSpeedDownBytesPerSec = Math.max(0, Math.round(num('alt-speed-down')! * SPEED_BYTES));
  if (num('alt-speed-up') !== undefined) out.altSpeedUpBytesPerSec = Math.max(0, Math.round(num('alt-speed-up')! * SPEED_BYTES));
  if (typeof args['alt-speed-time-enabled'] === 'boolean') out.altSpeedTimeEnabled = args['alt-speed-time-enabled'];
  if (num('alt-speed-time-begin') !== undefined) out.altSpeedTimeBeginMinutes = num('alt-speed-time-begin');
  if (num('alt-speed-time-end') !== undefined) out.altSpeedTimeEndMinutes = num('alt-speed-time-end');
  if (num('alt-speed-time-day') !== undefined) out.altSpeedTimeDays = num('alt-speed-time-day');
  if (num('download-queue-size') !== undefined) out.maxActiveDownloads = num('download-queue-size');
  if (num('seed-queue-size') !== undefined) out.maxActiveSeeds = num('seed-queue-size');
  if (typeof args['dht-enabled'] === 'boolean') out.dht = args['dht-enabled'];
  if (typeof args['lpd-enabled'] === 'boolean') out.lsd = args['lpd-enabled'];
  if (typeof args.encryption === 'string') out.encryption = { tolerated: 'allow', preferred: 'prefer', required: 'require' }[args.encryption] ?? args.encryption;
  if (num('seedRatioLimit') !== undefined) out.seedRatioLimit = num('seedRatioLimit');
  if (args.seedRatioLimited === false) out.seedRatioLimit = 0;
  return out as Partial<SessionSettings>;
}

const indexList = (v: unknown): number[] | undefined => (Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : undefined);

function torrentChanges(args: Args): TorrentChanges {
  const c: TorrentChanges = {};
  if (Array.isArray(args.labels)) c.labels = args.labels.filter((l): l is string => typeof l === 'string');
  if (typeof args.sequentialDownload === 'boolean') c.sequential = args.sequentialDownload;
  if (typeof args.downloadLimit === 'number' || typeof args.downloadLimited === 'boolean') {
    c.downloadLimitBytesPerSec = args.downloadLimited === false ? 0 : Math.max(0, Math.round(Number(args.downloadLimit ?? 0) * SPEED_BYTES));
  }
  if (typeof args.uploadLimit === 'number' || typeof args.uploadLimited === 'boolean') {
    c.uploadLimitBytesPerSec = args.uploadLimited === false ? 0 : Math.max(0, Math.round(Number(args.uploadLimit ?? 0) * SPEED_BYTES));
  }
  c.filesWanted = indexList(args['files-wanted']);
  c.filesUnwanted = indexList(args['files-unwanted']);
  c.priorityHigh = indexList(args['priority-high']);
  c.priorityNormal = indexList(args['priority-normal']);
  c.priorityLow = indexList(args['priority-low']);
  if (typeof args.seedRatioLimit === 'number') c.seedRatioLimit = args.seedRatioLimit;
  // 0 follows the session, 1 the torrent's own limit, 2 seeds forever.
  if (typeof args.seedRatioMode === 'number') c.seedRatioMode = SEED_RATIO_MODES[args.seedRatioMode];
  for (const k of Object.keys(c) as (keyof TorrentChanges)[]) if (c[k] === undefined || (Array.isArray(c[k]) && k !== 'labels' && (c[k] as number[]).length === 0)) delete c[k];
  return c;
}

const queue = (to: QueueMove): Handler => (ctx, args) => {
  ctx.node.torrents.queueMove(idsOf(ctx, args), to);
  return {};
};

export const HANDLERS: Record<string, Handler> = {
  'session-get': (ctx, args) => {
    const all = sessionArgs(ctx.node);
    if (!Array.isArray(args.fields)) return all;
    return Object.fromEntries(Object.entries(all).filter(([k]) => (args.fields as unknown[]).includes(k)));
  },
  'session-set': (ctx, args) => {
    ctx.node.setSettings(settingsFrom(ctx.node, args));
    return {};
  },
  'session-stats': (ctx) => {
    const s = ctx.node.stats();
    const totals = (down: number, up: number): Args => ({ downloadedBytes: down, uploadedBytes: up, filesAdded: 0, sessionCount: 1, secondsActive: s.secondsActive });
    return {
      activeTorrentCount: s.activeTorrentCount,
      pausedTorrentCount: s.pausedTorrentCount,
      torrentCount: s.torrentCount,
      downloadSpeed: s.downloadRateBytesPerSec,
      uploadSpeed: s.uploadRateBytesPerSec,
      'current-stats': totals(s.sessionDownloadedBytes, s.sessionUploadedBytes),
      'cumulative-stats': totals(s.cumulativeDownloadedBytes, s.cumulativeUploadedBytes),
    };
  },
  'session-close': () => ({}),
  'free-space': (_ctx, args) => ({ path: args.path, 'size-bytes': 0 }),
  'port-test': () => ({ 'port-is-open': false }),
  'blocklist-update': () => ({ 'blocklist-size': 0 }),
  'torrent-get': (ctx, args) => {
    if (!Array.isArray(args.fields)) throw new RpcFailure('no fields specified');
    const fields = (args.fields as unknown[]).filter((f): f is string => typeof f === 'string');
    const entries = args.ids === undefined ? ctx.node.ordered() : (() => {
      const ids = new Set(idsOf(ctx, args));
      return ctx.node.ordered().filter((e) => ids.has(e.id));
    })();
    const out: Args = {};
    if (args.format === 'table') {
      const known = knownFields(fields).map(([name]) => name);
      const objects = entries.map((e) => torrentObject(e.summary(), () => ctx.node.torrents.get(e.id), known));
      out.torrents = [known, ...objects.map((o) => known.map((f) => o[f]))];
    } else {
      const keys = knownFields(fields);
      // Fields that read the clock or the detail are made afresh; the rest of an idle torrent's row is kept.
      const cacheable = keys.every(([name]) => CACHEABLE_FIELDS.has(name));
      const key = keys.map(([name]) => name).join(',');
      const row = (e: (typeof entries)[number]): string => torrentJson(e.summary(), () => ctx.node.torrents.get(e.id), keys);
      out.torrents = new RawJson(`[${entries.map((e) => (cacheable ? e.cachedText(key, () => row(e)) : row(e))).join(',')}]`);
    }
    if (args.ids === 'recently-active') out.removed = ctx.recent().removed;
    return out;
  },
  'torrent-add': async (ctx, args) => {
    const filename = typeof args.filename === 'string' ? args.filename : undefined;
    const metainfo = typeof args.metainfo === 'string' ? Buffer.from(args.metainfo, 'base64') : undefined;
    if (!filename && !metainfo) throw new RpcFailure('no filename or metainfo specified');
    const { torrent, duplicate } = await ctx.node.torrents.add({
      source: metainfo ? undefined : filename,
      metainfo,
      savePath: typeof args['download-dir'] === 'string' ? args['download-dir'] : undefined,
      paused: args.paused === true,
      labels: Array.isArray(args.labels) ? args.labels.filter((l): l is string => typeof l === 'string') : undefined,
    });
    if (!duplicate) {
      const changes = torrentChanges(args);
      if (Object.keys(changes).length > 0 && torrent.pieceCount > 0) await ctx.node.torrents.set(torrent.id, changes);
    }
    const summary = { id: torrent.id, name: torrent.name, hashString: torrent.infoHash };
    return duplicate ? { 'torrent-duplicate': summary } : { 'torrent-added': summary };
  },
  'torrent-start': (ctx, args) => (ctx.node.torrents.resume(idsOf(ctx, args)), {}),
  'torrent-start-now': (ctx, args) => (ctx.node.torrents.resume(idsOf(ctx, args)), {}),
  'torrent-stop': (ctx, args) => (ctx.node.torrents.pause(idsOf(ctx, args)), {}),
  'torrent-verify': async (ctx, args) => (await ctx.node.torrents.verify(idsOf(ctx, args)), {}),
  'torrent-reannounce': (ctx, args) => (ctx.node.torrents.reannounce(idsOf(ctx, args)), {}),
  'torrent-remove': async (ctx, args) => (await ctx.node.torrents.remove(idsOf(ctx, args), args['delete-local-data'] === true), {}),
  'torrent-set': async (ctx, args) => (await ctx.node.torrents.set(idsOf(ctx, args), torrentChanges(args)), {}),
  'torrent-set-location': async (ctx, args) => {
    if (typeof args.location !== 'string') throw new RpcFailure('no location specified');
    await ctx.node.torrents.setLocation(idsOf(ctx, args), args.location);
    return {};
  },
  'queue-move-top': queue('top'),
  'queue-move-up': queue('up'),
  'queue-move-down': queue('down'),
  'queue-move-bottom': queue('bottom'),
};

/** Runs one request; the reply always carries `result` and, when given, the request's `tag`. */
export async function handleRequest(ctx: TransmissionContext, request: unknown): Promise<Args> {
  const r = (typeof request === 'object' && request !== null && !Array.isArray(request) ? request : {}) as Args;
  const tag = typeof r.tag === 'number' ? r.tag : undefined;
  const reply = (result: string, args: Args = {}): Args => (tag === undefined ? { result, arguments: args } : { result, arguments: args, tag });
  const method = typeof r.method === 'string' && Object.hasOwn(HANDLERS, r.method) ? HANDLERS[r.method] : undefined;
  if (!method) return reply('method name not recognized');
  const args = typeof r.arguments === 'object' && r.arguments !== null && !Array.isArray(r.arguments) ? (r.arguments as Args) : {};
  try {
    return reply('success', await method(ctx, args));
  } catch (err) {
    if (err instanceof RpcFailure || isTandemError(err)) return reply((err as Error).message);
    return reply(`internal error: ${(err as Error).message}`);
  }
}
