import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SessionSettings } from './types.js';

/** The node's tunables, in one place, units in the names. */
export const NODE_DEFAULTS = {
  rpcHost: '127.0.0.1',
  rpcPort: 9091,
  /** The peer port: Transmission's default, so firewall rules people already have keep working. */
  peerPort: 51413,
  /** How often changed torrent fields go out as events (and rates are sampled). */
  statsIntervalMs: 1_000,
  /** Byte totals are committed at least this often; piece progress is committed by each swarm every 5 s. */
  checkpointIntervalMs: 30_000,
  maxActiveDownloads: 5,
  /** Both alternative speeds until set: Transmission's 50 kB/s. */
  altSpeedBytesPerSec: 50_000,
  maxActiveSeeds: 100,
  /** Hashing progress of a torrent being created goes out at most this often (`create:progress`). */
  createProgressIntervalMs: 250,
  /** A .torrent fetched from a URL by `add`: at most this large, within this time. */
  fetchTimeoutMs: 30_000,
  databaseFile: 'state.db',
  tokenFile: 'rpc-token',
} as const;

/**
 * Where the node keeps its state: `--state-dir`, else `$TANDEM_STATE_DIR`, else `$XDG_STATE_HOME/tandem`, else
 * `~/.local/state/tandem` (the XDG base directory spec's place for state that survives restarts). Pure.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.TANDEM_STATE_DIR) return env.TANDEM_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'tandem');
}

export function defaultSettings(home = homedir()): SessionSettings {
  return {
    downloadDir: join(home, 'Downloads'),
    peerPort: NODE_DEFAULTS.peerPort,
    downloadLimitBytesPerSec: 0,
    uploadLimitBytesPerSec: 0,
    altSpeedEnabled: false,
    altSpeedDownBytesPerSec: NODE_DEFAULTS.altSpeedBytesPerSec,
    altSpeedUpBytesPerSec: NODE_DEFAULTS.altSpeedBytesPerSec,
    // Transmission's defaults: 09:00 to 17:00, every day, off.
    altSpeedTimeEnabled: false,
    altSpeedTimeBeginMinutes: 9 * 60,
    altSpeedTimeEndMinutes: 17 * 60,
    altSpeedTimeDays: 127,
    maxActiveDownloads: NODE_DEFAULTS.maxActiveDownloads,
    maxActiveSeeds: NODE_DEFAULTS.maxActiveSeeds,
    dht: true,
    lsd: true,
    encryption: 'allow',
    seedRatioLimit: 0,
  };
}
