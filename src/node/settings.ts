import { isAbsolute } from 'node:path';
import { NodeError } from './errors.js';
import type { SessionSettings } from './types.js';

type Check = (value: unknown) => boolean;

const wholeNumber = (max: number): Check => (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Every setting, with the check its value must pass; the same list validates the API, the config file and the database. */
const CHECKS: Record<keyof SessionSettings, [Check, string]> = {
  downloadDir: [(v) => typeof v === 'string' && v.length > 0 && v.length < 4096 && isAbsolute(v), 'an absolute path'],
  peerPort: [wholeNumber(65535), 'a port from 0 to 65535'],
  downloadLimitBytesPerSec: [wholeNumber(1e12), 'bytes per second (0: no limit)'],
  uploadLimitBytesPerSec: [wholeNumber(1e12), 'bytes per second (0: no limit)'],
  altSpeedEnabled: [(v) => typeof v === 'boolean', 'true or false'],
  altSpeedDownBytesPerSec: [wholeNumber(1e12), 'bytes per second (0: no limit)'],
  altSpeedUpBytesPerSec: [wholeNumber(1e12), 'bytes per second (0: no limit)'],
  altSpeedTimeEnabled: [(v) => typeof v === 'boolean', 'true or false'],
  altSpeedTimeBeginMinutes: [wholeNumber(24 * 60 - 1), 'minutes after midnight, 0 to 1439'],
  altSpeedTimeEndMinutes: [wholeNumber(24 * 60 - 1), 'minutes after midnight, 0 to 1439'],
  altSpeedTimeDays: [(v) => wholeNumber(127)(v) && (v as number) > 0, 'a mask of days from 1 to 127 (Sunday 1, Monday 2, ... Saturday 64)'],
  maxActiveDownloads: [wholeNumber(10_000), 'a count from 0 to 10000'],
  maxActiveSeeds: [wholeNumber(100_000), 'a count from 0 to 100000'],
  dht: [(v) => typeof v === 'boolean', 'true or false'],
  lsd: [(v) => typeof v === 'boolean', 'true or false'],
  encryption: [(v) => v === 'allow' || v === 'prefer' || v === 'require', 'allow, prefer or require'],
  seedRatioLimit: [(v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e6, 'a ratio (0: none)'],
};

export const SETTING_KEYS = Object.keys(CHECKS) as (keyof SessionSettings)[];

/** Checks a partial settings object from outside; an unknown key or a wrong value is a NODE_BAD_ARGUMENT naming it. */
export function checkSettings(values: Record<string, unknown>): Partial<SessionSettings> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const check = CHECKS[key as keyof SessionSettings];
    if (!check) throw new NodeError('NODE_BAD_ARGUMENT', `unknown setting "${key}"`, 'input');
    if (!check[0](value)) throw new NodeError('NODE_BAD_ARGUMENT', `setting "${key}" must be ${check[1]}`, 'input');
    out[key] = value;
  }
  return out as Partial<SessionSettings>;
}

/** Stored settings over the defaults; a stored value that no longer passes its check is dropped (its default stands). */
export function mergeStored(defaults: SessionSettings, stored: Record<string, unknown>): SessionSettings {
  const out = { ...defaults } as Record<string, unknown>;
  for (const key of SETTING_KEYS) {
    if (key in stored && CHECKS[key][0](stored[key])) out[key] = stored[key];
  }
  return out as unknown as SessionSettings;
}
