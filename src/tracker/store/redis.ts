// The Redis swarm store: several tracker processes share one swarm. Each torrent is three keys (a sorted set of
// seeders and one of leechers, scored by last announce time, and a hash of compact addresses) plus a completed
// counter; one Lua script does a whole announce atomically in one round trip, expiring stale peers as it goes.
// The connection is ioredis's: it reconnects on its own with a capped backoff. While Redis is away, commands fail
// at once (no offline queue) so the tracker answers "try later" rather than holding every client's request open.
import { Redis, type RedisOptions } from 'ioredis';
import { TrackerError } from '../errors.js';
import type { StoreAnnounce, StoreAnnounceResult, StoreLimits, StoreScrape, StoreStats, SwarmStore } from './store.js';

type RespValue = number | Buffer | null | RespValue[];

const PREFIX = 'tandem:tracker:';
const INDEX_KEY = PREFIX + 'torrents';
const STATS_KEY = PREFIX + 'stats';
const CONNECT_TIMEOUT_MS = 5_000;
/** Reconnect backoff: 100 ms doubling to this cap, for ever (a tracker outlives a Redis restart). */
const MAX_RECONNECT_DELAY_MS = 2_000;
/** Peers expired per set per script call: bounds the time one call holds Redis. */
const EXPIRE_BATCH = 100;

const EXPIRE_LUA = `
local function expire(z, a, st, counter, oldest)
  local old = redis.call('ZRANGEBYSCORE', z, '-inf', '(' .. oldest, 'LIMIT', 0, ${EXPIRE_BATCH})
  if #old > 0 then
    redis.call('ZREM', z, unpack(old))
    redis.call('HDEL', a, unpack(old))
    redis.call('HINCRBY', st, counter, -#old)
  end
  return #old
end
`;

// KEYS: seeders, leechers, addrs, downloaded, index, stats
// ARGV: peer key, addr, seeder(1/0), event, now ms, oldest ms, numwant, family(v4/v6/both), max peers, max torrents, info hash hex, want ids(1/0)
const ANNOUNCE_LUA = `${EXPIRE_LUA}
local s, l, a, d, idx, st = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local key, addr, seeder, event = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4]
local now, oldest, numwant = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local fam, maxPeers, maxTorrents, ih, wantIds = ARGV[8], tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11], ARGV[12] == '1'
expire(s, a, st, 'seeders', oldest)
expire(l, a, st, 'leechers', oldest)
local wasS = redis.call('ZSCORE', s, key)
local wasL = redis.call('ZSCORE', l, key)
if event ~= 'stopped' and not wasS and not wasL and redis.call('SISMEMBER', idx, ih) == 0 and redis.call('SCARD', idx) >= maxTorrents then
  return redis.error_reply('FULL')
end
if event == 'completed' then
  redis.call('INCR', d)
  redis.call('HINCRBY', st, 'downloaded', 1)
end
if wasS then redis.call('ZREM', s, key); redis.call('HINCRBY', st, 'seeders', -1) end
if wasL then redis.call('ZREM', l, key); redis.call('HINCRBY', st, 'leechers', -1) end
local out = {}
if event == 'stopped' then
  redis.call('HDEL', a, key)
else
  if wasS or wasL or redis.call('ZCARD', s) + redis.call('ZCARD', l) < maxPeers then
    if seeder then
      redis.call('ZADD', s, now, key); redis.call('HINCRBY', st, 'seeders', 1)
    else
      redis.call('ZADD', l, now, key); redis.call('HINCRBY', st, 'leechers', 1)
    end
    redis.call('HSET', a, key, addr)
    redis.call('SADD', idx, ih)
  end
  if numwant > 0 then
    local sets = seeder and {l} or {l, s}
    -- Draw random members, shuffle, keep those of the wanted family. The first draw oversamples; when the family
    -- filter leaves too few and there are more members, draw again with a larger (bounded) count.
    local function pick(count)
      local cands, picked = {}, {}
      for _, z in ipairs(sets) do
        for _, m in ipairs(redis.call('ZRANDMEMBER', z, count)) do
          if m ~= key then cands[#cands + 1] = m end
        end
      end
      for i = #cands, 2, -1 do
        local j = math.random(i)
        cands[i], cands[j] = cands[j], cands[i]
      end
      if #cands > 0 then
        local addrs = redis.call('HMGET', a, unpack(cands))
        for i, x in ipairs(addrs) do
          if #picked >= 2 * numwant then break end
          if x and (fam == 'both' or (fam == 'v4' and #x == 6) or (fam == 'v6' and #x == 18)) then
            picked[#picked + 1] = x
            picked[#picked + 1] = wantIds and cands[i] or ''
          end
        end
      end
      return picked
    end
    local first = 2 * numwant + 2
    out = pick(first)
    local total = redis.call('ZCARD', l) + (seeder and 0 or redis.call('ZCARD', s))
    if #out < 2 * numwant and total > first then out = pick(math.min(total, 5000)) end
  end
end
local nS, nL = redis.call('ZCARD', s), redis.call('ZCARD', l)
if nS + nL == 0 then redis.call('SREM', idx, ih) end
return {nS, nL, tonumber(redis.call('GET', d) or '0'), out}
`;

// KEYS: seeders, leechers, addrs, index, stats   ARGV: oldest ms, info hash hex
const SWEEP_LUA = `${EXPIRE_LUA}
local n = expire(KEYS[1], KEYS[3], KEYS[5], 'seeders', ARGV[1]) + expire(KEYS[2], KEYS[3], KEYS[5], 'leechers', ARGV[1])
if redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[4], ARGV[2]) end
return n
`;

function keysOf(infoHash: Buffer): { hex: string; s: string; l: string; a: string; d: string } {
  const hex = infoHash.toString('hex');
  const base = `${PREFIX}t:${hex}:`;
  return { hex, s: base + 's', l: base + 'l', a: base + 'a', d: base + 'd' };
}

function num(v: RespValue | undefined): number {
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v)) return Number(v.toString('latin1')) || 0;
  return 0;
}

/** Parses `redis://HOST[:PORT][/DB]` (IPv6 hosts in brackets) into ioredis options. */
export function redisOptions(url: string): RedisOptions {
  const m = url.match(/^redis:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?(?:\/(\d+))?\/?$/);
  if (!m) throw new TrackerError('TRACKER_BAD_URL', `bad Redis URL "${url}": use redis://HOST:PORT[/DB]`, 'input');
  return {
    host: m[1]!.replace(/^\[|\]$/g, ''),
    port: Number(m[2] ?? 6379),
    db: Number(m[3] ?? 0),
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 10), MAX_RECONNECT_DELAY_MS),
  };
}

export class RedisStore implements SwarmStore {
  private constructor(
    private readonly client: Redis,
    private readonly limits: StoreLimits,
  ) {}

  /** Connects (failing with a clear error if Redis is not there at start) and registers the two scripts. */
  static async connect(url: string, limits: StoreLimits): Promise<RedisStore> {
    const client = new Redis(redisOptions(url));
    // Errors while reconnecting are reported through failed commands; the event keeps the first cause for start.
    let cause: Error | undefined;
    client.on('error', (err: Error) => (cause ??= err));
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      throw new TrackerError('TRACKER_STORE', `cannot reach Redis at ${url}: ${(cause ?? (err as Error)).message}`, 'runtime', { cause: err });
    }
    // defineCommand sends EVALSHA and falls back to EVAL when Redis lost the script (a restart, SCRIPT FLUSH).
    client.defineCommand('tandemAnnounce', { numberOfKeys: 6, lua: ANNOUNCE_LUA });
    client.defineCommand('tandemSweep', { numberOfKeys: 5, lua: SWEEP_LUA });
    return new RedisStore(client, limits);
  }

  /** Runs one command; a lost connection or an error reply becomes a TRACKER_STORE error (or TRACKER_FULL). */
  private async call(name: string, args: (string | number | Buffer)[]): Promise<RespValue> {
    try {
      return (await this.client.callBuffer(name, ...args)) as RespValue;
    } catch (err) {
      const message = (err as Error).message;
      if (/FULL/.test(message)) throw new TrackerError('TRACKER_FULL', 'tracker is tracking as many torrents as it may');
      throw new TrackerError('TRACKER_STORE', `Redis: ${message}`, 'runtime', { cause: err });
    }
  }

  /** Runs a script defined with defineCommand, through the same error mapping as `call`. */
  private script(name: 'tandemAnnounceBuffer' | 'tandemSweepBuffer', keys: string[], args: (string | number | Buffer)[]): Promise<RespValue> {
    const fn = (this.client as unknown as Record<string, (...a: unknown[]) => Promise<RespValue>>)[name]!;
    return fn.call(this.client, ...keys, ...args).catch((err: Error) => {
      if (/FULL/.test(err.message)) throw new TrackerError('TRACKER_FULL', 'tracker is tracking as many torrents as it may');
      throw new TrackerError('TRACKER_STORE', `Redis: ${err.message}`, 'runtime', { cause: err });
    });
  }

  async announce(a: StoreAnnounce): Promise<StoreAnnounceResult> {
    const k = keysOf(a.infoHash);
    const peerKey = Buffer.concat([a.peerId, Buffer.from(a.addr.length === 18 ? '6' : '4')]);
    const reply = await this.script('tandemAnnounceBuffer', [k.s, k.l, k.a, k.d, INDEX_KEY, STATS_KEY], [
      peerKey, a.addr, a.seeder ? '1' : '0', a.event, a.nowMs, a.nowMs - this.limits.peerTtlMs, a.numwant, a.families,
      this.limits.maxPeersPerTorrent, this.limits.maxTorrents, k.hex, a.withPeerIds ? '1' : '0',
    ]);
    if (!Array.isArray(reply) || reply.length !== 4 || !Array.isArray(reply[3])) throw new TrackerError('TRACKER_STORE', 'unexpected reply from the announce script');
    const flat = reply[3];
    const v4: Buffer[] = [];
    const v6: Buffer[] = [];
    const ids4: Buffer[] = [];
    const ids6: Buffer[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const addr = flat[i];
      const id = flat[i + 1];
      if (!Buffer.isBuffer(addr) || (addr.length !== 6 && addr.length !== 18)) continue;
      (addr.length === 6 ? v4 : v6).push(addr);
      if (a.withPeerIds) (addr.length === 6 ? ids4 : ids6).push(Buffer.isBuffer(id) && id.length === 21 ? Buffer.from(id.subarray(0, 20)) : Buffer.alloc(0));
    }
    const result: StoreAnnounceResult = { complete: num(reply[0]), incomplete: num(reply[1]), downloaded: num(reply[2]), peers4: Buffer.concat(v4), peers6: Buffer.concat(v6) };
    if (a.withPeerIds) Object.assign(result, { ids4, ids6 });
    return result;
  }

  async scrape(infoHashes: Buffer[]): Promise<StoreScrape[]> {
    // Pipelined: all commands are written before the first reply is awaited.
    const calls = infoHashes.map((h) => {
      const k = keysOf(h);
      return Promise.all([this.call('ZCARD', [k.s]), this.call('ZCARD', [k.l]), this.call('GET', [k.d])]);
    });
    return (await Promise.all(calls)).map(([s, l, d]) => ({ complete: num(s), incomplete: num(l), downloaded: num(d) }));
  }

  async stats(): Promise<StoreStats> {
    const [torrents, raw] = await Promise.all([this.call('SCARD', [INDEX_KEY]), this.call('HGETALL', [STATS_KEY])]);
    const fields = new Map<string, number>();
    if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) fields.set(String(raw[i]), num(raw[i + 1]));
    return { torrents: num(torrents), seeders: fields.get('seeders') ?? 0, leechers: fields.get('leechers') ?? 0, downloaded: fields.get('downloaded') ?? 0 };
  }

  async sweep(nowMs: number): Promise<number> {
    let cursor = '0';
    let dropped = 0;
    // Bounded: SSCAN visits every member once per full cycle; the cap guards against a cursor that never ends.
    for (let rounds = 0; rounds < 100_000; rounds++) {
      const r = await this.call('SSCAN', [INDEX_KEY, cursor, 'COUNT', 200]);
      if (!Array.isArray(r) || !Buffer.isBuffer(r[0]) || !Array.isArray(r[1])) break;
      cursor = r[0].toString('latin1');
      const batch = r[1].filter(Buffer.isBuffer).map(async (hexBuf) => {
        const hex = hexBuf.toString('latin1');
        const k = keysOf(Buffer.from(hex, 'hex'));
        return num(await this.script('tandemSweepBuffer', [k.s, k.l, k.a, INDEX_KEY, STATS_KEY], [nowMs - this.limits.peerTtlMs, hex]));
      });
      for (const n of await Promise.all(batch)) dropped += n;
      if (cursor === '0') break;
    }
    return dropped;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
