import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMPUTE_DEFAULTS } from '../compute/index.js';
import type { ComputeSpec } from '../node/index.js';
import { TandemError } from '../util/errors.js';

/**
 * The daemon's configuration file: JSON, every key optional, checked against this schema; an unknown key or a
 * wrong type is a usage error (exit 2) naming it. Command-line flags win over the file.
 */
export interface DaemonConfig {
  stateDir?: string;
  rpc?: string;
  rpcAuth?: string;
  port?: number;
  listen?: string[];
  downloadDir?: string;
  serveDir?: string;
  http?: string;
  seed?: boolean;
  tftp?: string;
  tftpWrite?: boolean;
  ftp?: string;
  ftps?: string;
  ftpAuth?: string;
  ftpWrite?: boolean;
  ftpTlsCert?: string;
  ftpTlsKey?: string;
  ftpTlsRequired?: boolean;
  ftpAllowUnresumedTls?: boolean;
  ftpPasvPorts?: string;
  ftpPasvAddress?: string;
  trackerHttp?: string;
  trackerUdp?: string;
  dht?: boolean;
  dhtBootstrap?: string[];
  lsd?: boolean;
  maxActiveDownloads?: number;
  maxActiveSeeds?: number;
  downloadLimitBytesPerSec?: number;
  uploadLimitBytesPerSec?: number;
  altSpeedEnabled?: boolean;
  altSpeedDownBytesPerSec?: number;
  altSpeedUpBytesPerSec?: number;
  altSpeedTimeEnabled?: boolean;
  altSpeedTimeBeginMinutes?: number;
  altSpeedTimeEndMinutes?: number;
  altSpeedTimeDays?: number;
  seedRatioLimit?: number;
  encryption?: 'allow' | 'prefer' | 'require';
  /** A compute project the daemon serves (`tandem compute serve` inside the node). */
  computeProject?: string;
  computeHttp?: string;
  computeFilesHttp?: string;
  computeAssimilateHook?: string;
}

type Kind = 'string' | 'boolean' | 'port' | 'count' | 'ratio' | 'strings' | 'encryption';

const SCHEMA: Record<keyof DaemonConfig, Kind> = {
  stateDir: 'string',
  rpc: 'string',
  rpcAuth: 'string',
  port: 'port',
  listen: 'strings',
  downloadDir: 'string',
  serveDir: 'string',
  http: 'string',
  seed: 'boolean',
  tftp: 'string',
  tftpWrite: 'boolean',
  ftp: 'string',
  ftps: 'string',
  ftpAuth: 'string',
  ftpWrite: 'boolean',
  ftpTlsCert: 'string',
  ftpTlsKey: 'string',
  ftpTlsRequired: 'boolean',
  ftpAllowUnresumedTls: 'boolean',
  ftpPasvPorts: 'string',
  ftpPasvAddress: 'string',
  trackerHttp: 'string',
  trackerUdp: 'string',
  dht: 'boolean',
  dhtBootstrap: 'strings',
  lsd: 'boolean',
  maxActiveDownloads: 'count',
  maxActiveSeeds: 'count',
  downloadLimitBytesPerSec: 'count',
  uploadLimitBytesPerSec: 'count',
  altSpeedEnabled: 'boolean',
  altSpeedDownBytesPerSec: 'count',
  altSpeedUpBytesPerSec: 'count',
  altSpeedTimeEnabled: 'boolean',
  altSpeedTimeBeginMinutes: 'count',
  altSpeedTimeEndMinutes: 'count',
  altSpeedTimeDays: 'count',
  seedRatioLimit: 'ratio',
  encryption: 'encryption',
  computeProject: 'string',
  computeHttp: 'string',
  computeFilesHttp: 'string',
  computeAssimilateHook: 'string',
};

const WHAT: Record<Kind, string> = {
  string: 'a string',
  boolean: 'true or false',
  port: 'a port number (0-65535)',
  count: 'a whole number (0 or more)',
  ratio: 'a number from 0 to 1000000 (0: none)',
  strings: 'a list of strings',
  encryption: '"allow", "prefer" or "require"',
};

function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string' && v.length > 0;
    case 'boolean':
      return typeof v === 'boolean';
    case 'port':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
    case 'count':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1e12;
    case 'ratio':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e6;
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'encryption':
      return v === 'allow' || v === 'prefer' || v === 'require';
  }
}

/** Checks a parsed configuration value. Pure. */
export function checkConfig(value: unknown, where: string): DaemonConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usage(`${where}: the configuration must be a JSON object`);
  for (const [key, v] of Object.entries(value)) {
    const kind = SCHEMA[key as keyof DaemonConfig];
    if (!kind) throw usage(`${where}: unknown key "${key}" (known: ${Object.keys(SCHEMA).join(', ')})`);
    if (!fits(kind, v)) throw usage(`${where}: "${key}" must be ${WHAT[kind]}`);
  }
  return value as DaemonConfig;
}

export function readConfig(path: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(`--config: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw usage(`${path}: not JSON: ${(err as Error).message}`);
  }
  return checkConfig(value, path);
}

/** The compute project to start with the node, if the configuration names one (its address defaults to 127.0.0.1:8090). */
export function computeSpecOf(c: DaemonConfig): ComputeSpec | undefined {
  if (c.computeProject === undefined) {
    if (c.computeHttp !== undefined || c.computeFilesHttp !== undefined || c.computeAssimilateHook !== undefined) throw usage('computeHttp, computeFilesHttp and computeAssimilateHook need computeProject');
    return undefined;
  }
  return {
    project: resolve(c.computeProject), address: c.computeHttp ?? `${COMPUTE_DEFAULTS.host}:${COMPUTE_DEFAULTS.port}`,
    filesAddress: c.computeFilesHttp, assimilateHook: c.computeAssimilateHook,
  };
}

function usage(message: string): TandemError {
  return new TandemError('CLI_USAGE', message, 'input');
}
